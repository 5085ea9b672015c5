-- The bridge supervision table searched by part of an enterprise's name (a different one each
-- time), with the token in BENCH_TOKEN.
local token = os.getenv("BENCH_TOKEN")
local n = 0
request = function()
  n = n + 1
  local path = "/api/financing/supervision/bridges?search=" .. "%E4%BC%81%E4%B8%9A%20" .. (n * 7919 % 5000)
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
