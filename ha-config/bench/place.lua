-- wrk script: each thread is one bettor (its own session cookie) placing singles with fresh requestIds.
-- The cookie file (written by PlacementBenchmark --setup) has the selection id on line 1, then one cookie a line.
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
end

function request()
    n = n + 1
    local body = '{"requestId":"' .. prefix .. n .. '","stake":10,"oddsChange":"ANY","legs":[{"selectionId":'
        .. selection .. ',"odds":1.90}]}'
    return wrk.format("POST", "/api/bets", { ["Content-Type"] = "application/json", ["Cookie"] = cookie }, body)
end

function response(status, headers, body)
    if status ~= 201 then errors = (errors or 0) + 1 end
end

function done(summary, latency, requests)
    local non201 = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.timeout
    -- bets/s counts the accepted bets only (a 429 from the shedder or any other refusal is not a bet); the latency
    -- percentiles are wrk's, over every answer, refusals included
    io.write(string.format("RESULT %.0f %.2f %.2f %.2f %.2f %d\n",
        (summary.requests - non201) / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, non201))
end
