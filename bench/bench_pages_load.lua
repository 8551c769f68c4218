-- wrk script for bench_pages_load.py: counts responses by status class in every thread and,
-- when the run ends, prints the latency percentiles, totals and error counts as one line of
-- JSON prefixed with BENCH_JSON, which the Python side parses.
--
-- The session cookie comes on wrk's command line (-H "Cookie: ..."), so this script does not
-- build requests; `response` is defined only to count statuses, because wrk's own summary
-- counts a 3xx as a success and a page that redirects must not pass as a fast page.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  -- Globals of this thread's Lua state; done() reads them with thread:get().
  status_2xx, status_3xx, status_4xx, status_5xx = 0, 0, 0, 0
end

function response(status, headers, body)
  if status < 300 then
    status_2xx = status_2xx + 1
  elseif status < 400 then
    status_3xx = status_3xx + 1
  elseif status < 500 then
    status_4xx = status_4xx + 1
  else
    status_5xx = status_5xx + 1
  end
end

function done(summary, latency, requests)
  local counts = { status_2xx = 0, status_3xx = 0, status_4xx = 0, status_5xx = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do
      counts[name] = counts[name] + (thread:get(name) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"latency_us": {"min": %d, "mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d}, ' ..
    '"status": {"2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d}, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max,
    counts.status_2xx, counts.status_3xx, counts.status_4xx, counts.status_5xx,
    e.connect, e.read, e.write, e.timeout))
end
