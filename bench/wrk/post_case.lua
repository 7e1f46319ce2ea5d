-- POST /api/v1/cases/ as a customer: a JSON body with a numbered title, the API token
-- from BENCH_TOKEN. Each accepted case also writes its outbox row and hands a delivery
-- task to the Celery broker (Redis) after commit.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local token = os.getenv("BENCH_TOKEN")
local counter = 0
local prefix = string.format("%d-%d", os.time(), math.random(100000))

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Token " .. token

function request()
  counter = counter + 1
  local body = string.format(
    '{"title": "Benchmark %s-%d: scheduler stops after a few runs", '
      .. '"description": "The nightly job stops with `ERR-4242` after a few runs.\\n\\nLogs to follow.", '
      .. '"severity": "medium", "request_type": "incident", "product": "Scheduler", "version": "4.1"}',
    prefix, counter)
  return wrk.format("POST", nil, nil, body)
end
