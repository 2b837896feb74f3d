-- POST {"email": <new address each request>[, "password": ...]}: signup and send-otp.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local n = 0
local run = os.getenv("BENCH_RUN") or "r"
local with_password = os.getenv("BENCH_WITH_PASSWORD") == "1"
request = function()
   n = n + 1
   local email = string.format("b%s-%d-%d@bench.example", run, id, n)
   local body
   if with_password then
      body = string.format('{"email":"%s","password":"correct horse battery staple"}', email)
   else
      body = string.format('{"email":"%s"}', email)
   end
   return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
