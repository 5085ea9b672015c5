-- GET /api/crowdsourcing/providers/me/matching-demands for a provider. BENCH_TOKEN: its token.
local token = os.getenv("BENCH_TOKEN")
request = function()
  return wrk.format("GET", "/api/crowdsourcing/providers/me/matching-demands",
    { ["Authorization"] = "Bearer " .. token })
end
