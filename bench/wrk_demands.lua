-- GET /api/crowdsourcing/demands with random portal filters (class, region, industry, fee
-- range, mode), one to five of them at a time. BENCH_TOKEN: a bearer token.
local token = os.getenv("BENCH_TOKEN")
local classes = { "CPSJ", "CPYF", "CPZZ", "RJKF", "JCJC", "ZSCQ", "PPYX", "QYZX" }
local regions = { "640104", "640202", "640302", "640402", "640502", "640100" }
local industries = { "C", "C39", "M", "I65", "A" }
local modes = { "reward", "tender", "direct" }
math.randomseed(os.time())
local function pick(list) return list[math.random(1, #list)] end
request = function()
  local q = {}
  if math.random() < 0.7 then q[#q + 1] = "class=" .. pick(classes) end
  if math.random() < 0.5 then q[#q + 1] = "region=" .. pick(regions) end
  if math.random() < 0.3 then q[#q + 1] = "industry=" .. pick(industries) end
  if math.random() < 0.4 then
    local low = math.random(0, 40)
    q[#q + 1] = "fee_min=" .. low .. "&fee_max=" .. (low + math.random(1, 10))
  end
  if math.random() < 0.5 then q[#q + 1] = "mode=" .. pick(modes) end
  local path = "/api/crowdsourcing/demands?" .. table.concat(q, "&")
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
