-- make bench: rental create + return cycles (see scripts/bench.py, which prepends INVENTORY = {...}
-- and PAY = true|false). Each wrk thread (one connection) rents its own copy, then returns it, over
-- and over; with PAY, both say "pay": true, as the counter does.
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("inventory", INVENTORY[counter])
  table.insert(threads, thread)
end

function init(args)
  pending = nil
  creates, returns, failures = 0, 0, 0
end

local headers = {["Authorization"] = "Bearer dvd_admin", ["Content-Type"] = "application/json"}

local pay = PAY and ', "pay": true' or ''

function request()
  if pending then
    local path = "/api/v1/rentals/" .. pending .. "/return/"
    return wrk.format("POST", path, headers, '{"staff_id": 1' .. pay .. '}')
  end
  return wrk.format("POST", "/api/v1/customers/1/rentals/", headers,
    '{"inventory_id": ' .. inventory .. ', "staff_id": 1' .. pay .. '}')
end

function response(status, hdrs, body)
  if pending then
    if status == 200 then returns = returns + 1 else failures = failures + 1 end
    pending = nil
  else
    if status == 201 then
      creates = creates + 1
      pending = string.match(body, '"rental_id":(%d+)')
    else
      failures = failures + 1
    end
  end
end

function done(summary, latency, requests)
  local c, r, f = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("creates"); r = r + t:get("returns"); f = f + t:get("failures")
  end
  io.write(string.format("CYCLES creates=%d returns=%d failures=%d\n", c, r, f))
end
