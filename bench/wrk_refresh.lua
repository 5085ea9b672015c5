-- wrk script: refresh_token rotation chains, one per wrk thread (run with -t N -c N, so each
-- thread has one connection and its own chain; a chain is used by one request at a time, as a
-- client does). BENCH_SEED: a file with the client id, the secret, then one refresh token per
-- line (from `nx-bench … seed-refresh`).
local seed = os.getenv("BENCH_SEED")
local lines = {}
for line in io.lines(seed) do lines[#lines + 1] = line end
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", lines[1])
  thread:set("secret", lines[2])
  thread:set("token", lines[2 + counter])
  table.insert(threads, thread)
end

local function b64(data)
  local chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  return ((data:gsub('.', function(x)
    local r, byte = '', x:byte()
    for i = 8, 1, -1 do r = r .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if #x < 6 then return '' end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
    return chars:sub(c + 1, c + 1)
  end) .. ({ '', '==', '=' })[#data % 3 + 1])
end

local auth
broken = 0

function init(args)
  auth = "Basic " .. b64(id .. ":" .. secret)
end

function request()
  return wrk.format("POST", "/token", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = auth,
  }, "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  if status == 200 then
    local next_token = body:match('"refresh_token":"([^"]+)"')
    if next_token then token = next_token end
  else
    broken = broken + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("broken") or 0) end
  io.write(string.format("refused responses: %d\n", total))
end
