-- wrk script for ha-config/bench-overload: each thread is one bettor (its own session cookie, one connection)
-- placing singles with fresh requestIds, closed loop. A 429 is honoured as a real client would: the thread waits
-- for its Retry-After before it places again. wrk's own latency histogram mixes accepted bets with 429s, so this
-- script times each request itself (one connection a thread: a request and its answer strictly alternate) and
-- keeps the accepted ones apart.
-- The cookie file (written by PlacementBenchmark --setup) has the selection id on line 1, then one cookie a line.
local ffi = require("ffi")
ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } holdfast_timespec;
    int clock_gettime(int clock_id, holdfast_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("holdfast_timespec")
local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local counter = 0
local threads = {}

function setup(thread)
    thread:set("tid", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

function init(args)
    local lines = {}
    for line in io.lines(os.getenv("HOLDFAST_BENCH_COOKIES")) do table.insert(lines, line) end
    selection = lines[1]
    cookie = lines[2 + (tid % (#lines - 1))]
    prefix = os.getenv("HOLDFAST_BENCH_RUN") .. "-" .. tid .. "-"
    n = 0
    wait = 0
    sent = 0
    accepted = {}
    shed = 0
    other = 0
end

function delay()
    local w = wait
    wait = 0
    return w
end

function request()
    n = n + 1
    local body = '{"requestId":"' .. prefix .. n .. '","stake":10,"oddsChange":"ANY","legs":[{"selectionId":'
        .. selection .. ',"odds":1.90}]}'
    sent = now_ms()
    return wrk.format("POST", "/api/bets", { ["Content-Type"] = "application/json", ["Cookie"] = cookie }, body)
end

function response(status, headers, body)
    local took = now_ms() - sent
    if status == 201 then
        accepted[#accepted + 1] = took
    elseif status == 429 then
        shed = shed + 1
        wait = 1000 * (tonumber(headers["Retry-After"]) or 1)
    else
        other = other + 1
    end
end

function done(summary, latency, requests)
    local all, shed_total, other_total = {}, 0, 0
    for _, thread in ipairs(threads) do
        for _, v in ipairs(thread:get("accepted")) do all[#all + 1] = v end
        shed_total = shed_total + thread:get("shed")
        other_total = other_total + thread:get("other")
    end
    other_total = other_total + summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.timeout
    table.sort(all)
    local function pct(p)
        if #all == 0 then return 0 end
        return all[math.max(1, math.ceil(#all * p / 100))]
    end
    -- RESULT accepted/s p50 p99 max 429s other
    io.write(string.format("RESULT %.0f %.1f %.1f %.1f %d %d\n", #all / (summary.duration / 1e6),
        pct(50), pct(99), #all > 0 and all[#all] or 0, shed_total, other_total))
end
