-- A random resource's page: its week of free slots from the claims.
local resources = tonumber(os.getenv("BENCH_RESOURCES") or "50000")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/resources/bench-r-" .. math.random(0, resources - 1))
end
