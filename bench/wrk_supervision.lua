-- The bridge supervision table's first page, with the token in BENCH_TOKEN.
local token = os.getenv("BENCH_TOKEN")
request = function()
  return wrk.format("GET", "/api/financing/supervision/bridges", { ["Authorization"] = "Bearer " .. token })
end
