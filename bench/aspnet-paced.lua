-- wrk -s bench/aspnet-paced.lua: every connection waits PACE_MS milliseconds after each response before its next
-- request, so the offered load (about connections x 1000 / (PACE_MS + latency) requests/s) does not follow the
-- server's speed: the same load for every build, to compare latency percentiles below saturation.
local pace = tonumber(os.getenv("PACE_MS") or "1")

function delay()
  return pace
end
