-- POST a fixed JSON body (BENCH_BODY), with a bearer token when BENCH_TOKEN is set.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = os.getenv("BENCH_METHOD") or "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
