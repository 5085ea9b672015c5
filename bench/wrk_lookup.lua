-- GET /api/catalogue/enterprise/{key} of random keys NEW-00000000 … written by the ingest run.
-- BENCH_TOKEN: a bearer token; BENCH_RECORDS: how many keys there are.
local token = os.getenv("BENCH_TOKEN")
local records = tonumber(os.getenv("BENCH_RECORDS") or "100000")
math.randomseed(os.time())
request = function()
  local path = string.format("/api/catalogue/enterprise/NEW-%08d", math.random(0, records - 1))
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
