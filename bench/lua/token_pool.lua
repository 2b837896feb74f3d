-- POST {"<field>": token} using each token of a file once (BENCH_POOL, BENCH_FIELD): token/refresh, logout.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local tokens = {}
local index = 0
local stride = tonumber(os.getenv("BENCH_THREADS") or "1")
local field = os.getenv("BENCH_FIELD") or "refresh"
init = function(args)
   for line in io.lines(os.getenv("BENCH_POOL")) do table.insert(tokens, line) end
   index = id + 1
end
request = function()
   local token = tokens[index] or "exhausted"
   index = index + stride
   return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, string.format('{"%s":"%s"}', field, token))
end
