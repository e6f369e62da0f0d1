-- wrk script for bench/load.sh and bench/login_storm.sh: POSTs a rotation of GraphQL
-- requests (each with its own bearer token, or none) and counts outcomes per thread:
-- HTTP statuses, transport errors, INTERNAL_SERVER_ERROR / CONFLICT answers, other
-- GraphQL errors (a wrong password, a typo in a request) and clean answers.
-- REQUESTS names a file of lines "<token or ->\t<json body>".

local requests = {}
for line in io.lines(os.getenv("REQUESTS")) do
  local token, body = line:match("^([^\t]*)\t(.*)$")
  if body then
    requests[#requests + 1] = { token = token, body = body }
  end
end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id
  ok, errors, internal, conflict, other = 0, 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local r = requests[(counter % #requests) + 1]
  local headers = { ["Content-Type"] = "application/json" }
  if r.token ~= "-" then
    headers["Authorization"] = "Bearer " .. r.token
  end
  return wrk.format("POST", "/graphql", headers, r.body)
end

function response(status, headers, body)
  if status ~= 200 then
    other = other + 1
  elseif body:find("INTERNAL_SERVER_ERROR", 1, true) then
    internal = internal + 1
  elseif body:find('"CONFLICT"', 1, true) then
    conflict = conflict + 1
  elseif body:find('"errors"', 1, true) then
    errors = errors + 1
  else
    ok = ok + 1
  end
end

function done(summary, latency, requests_)
  local t = { ok = 0, errors = 0, internal = 0, conflict = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + thread:get(k)
    end
  end
  local e = summary.errors
  io.write(string.format(
    "rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d transport_errors=%d non_200=%d internal_errors=%d conflicts=%d other_errors=%d data=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    e.connect + e.read + e.write + e.timeout, t.other, t.internal, t.conflict, t.errors, t.ok))
end
