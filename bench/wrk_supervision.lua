-- The bridge supervision table's first page (and now and then a search), with the token in
-- BENCH_TOKEN.
local token = os.getenv("BENCH_TOKEN")
local n = 0
request = function()
  n = n + 1
  local path = "/api/financing/supervision/bridges"
  if n % 10 == 0 then
    path = path .. "?search=" .. "%E4%BC%81%E4%B8%9A%20" .. (n % 5000)
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
