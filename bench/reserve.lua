-- bench/reserve.lua: wrk script for the "reserve" row of bench/run.py.
--
-- POSTs the reservation form of one unlimited gift, as a guest would. The
-- form body comes from BENCH_RESERVE_BODY (url-encoded, with the CSRF token);
-- its BENCHSEQ marker is replaced by a number unique to each request, so each
-- reservation has its own guest address, and the form's one-time key is made
-- new for each request (the same key twice is one reservation). The CSRF
-- cookie and Content-Type come in with wrk -H.

local template = os.getenv("BENCH_RESERVE_BODY") or ""
local counter = 0
local threads = 0

wrk.method = "POST"

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function request()
  counter = counter + 1
  local body = template:gsub("BENCHSEQ", tostring(tid or 0) .. "x" .. tostring(counter))
  local key = string.format("00000000-0000-4000-8%03x-%012x", (tid or 0) % 4096, counter)
  body = body:gsub("&key=[%x%-]+", "&key=" .. key)
  return wrk.format("POST", nil, nil, body)
end
