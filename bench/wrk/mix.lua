-- A round-robin mix of GET requests for the memory-flatness run. BENCH_MIX holds one
-- request a line: "path<TAB>header name<TAB>header value". (bench/run.py runs it in
-- chunks of a few seconds until the wanted number of requests is reached.)
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local requests_ = {}
for line in string.gmatch(os.getenv("BENCH_MIX") or "", "[^\n]+") do
  local path, name, value = string.match(line, "^([^\t]*)\t([^\t]*)\t(.*)$")
  local headers = {}
  headers[name] = value
  table.insert(requests_, wrk.format("GET", path, headers, nil))
end
local index = 0

function request()
  index = index % #requests_ + 1
  return requests_[index]
end
