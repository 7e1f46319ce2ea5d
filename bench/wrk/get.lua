-- GET one URL (headers such as the session cookie or the API token come from -H).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
