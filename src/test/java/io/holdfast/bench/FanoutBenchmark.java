package io.holdfast.bench;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Odds fan-out: N open connections to the odds stream ({@code GET /api/odds/stream}, server-sent events) on one node,
 * read by one thread ({@link SseLoad}: the client shares the machine), price changes posted through the back office
 * at a constant arrival rate (sent without waiting for the previous answer), round the two selections of each of
 * MARKETS markets (default 25); prints the time from each change's request until every connection's state of that
 * selection reflects it (its event, or a newer change's event that superseded it within one write: the stream sends a
 * selection's newest state), an upper bound of commit-to-byte (the clock starts before the change's own request, so
 * its round trip is included); the changes never reflected; the change requests' own round trip; the node's resident
 * memory per connection, and the CPU the node and this client used meanwhile (cores), to tell which was the limit.
 * For ha-config/bench-throughput (d):
 *
 *   java ... io.holdfast.bench.FanoutBenchmark NODE_URL API_URL NODE_PID CONNECTIONS CHANGES_PER_S SECONDS [MARKETS]
 */
public final class FanoutBenchmark {

    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    public static void main(String[] args) throws Exception {
        String node = args[0];
        // the changes go to the ACTIVE node itself, as the streams do: what is measured is the node's fan-out, not
        // HAProxy's health checks (on a loaded machine they flap, and a change through it gets a 503)
        String api = node; // args[1], the balancer's URL, is not used
        long pid = Long.parseLong(args[2]);
        int connections = Integer.parseInt(args[3]);
        double rate = Double.parseDouble(args[4]);
        int seconds = Integer.parseInt(args[5]);
        int markets = args.length > 6 ? Integer.parseInt(args[6]) : 25;
        String password = System.getenv().getOrDefault("HOLDFAST_ADMIN_PASSWORD", "admin");
        String admin = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        HttpClient control = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        // the changes go with an admin session: Basic authentication is a bcrypt per request (tens of ms of CPU)
        HttpResponse<String> login = control.send(HttpRequest.newBuilder(URI.create(api + "/api/session"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"admin\",\"password\":\"" + password + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        String session = login.headers().firstValue("set-cookie").orElseThrow(
                () -> new IllegalStateException("admin login: " + login.statusCode() + " " + login.body())).split(";")[0];

        long event = firstId(send(control, api + "/api/admin/events", "POST", "{\"name\":\"Fan-out FC v Refresh Rovers "
                + System.nanoTime() + "\",\"startsAt\":\"2031-01-01T00:00:00Z\"}", admin));
        // the changes go round the selections of several markets, as a live feed moves many prices: one selection
        // repriced 25 times a second would measure its row lock (each change waits for the previous one's commit)
        long[] selections = new long[2 * markets];
        Map<Long, Integer> slotOf = new HashMap<>();
        for (int mk = 0; mk < markets; mk++) {
            Matcher m = ID.matcher(send(control, api + "/api/admin/events/" + event + "/markets", "POST",
                    "{\"name\":\"Match result " + mk + "\",\"selections\":[{\"name\":\"Home\",\"odds\":2.00},"
                            + "{\"name\":\"Away\",\"odds\":2.00}]}", session));
            m.find();
            for (int i = 0; i < 2 && m.find(); i++) {
                selections[2 * mk + i] = Long.parseLong(m.group(1));
                slotOf.put(selections[2 * mk + i], 2 * mk + i);
            }
        }
        int slots = selections.length;
        long interval = (long) (1_000_000_000L / rate);
        int changes = (int) (rate * seconds);

        long rssBefore = rssKb(pid);
        // change k reprices selection k % slots to 2.01 + (k / slots) hundredths: an event names its change; sentAt
        // holds when each change's request was sent (0: not yet, -1: refused)
        AtomicLongArray sentAt = new AtomicLongArray(changes);
        Recorder latency = new Recorder(3);
        Recorder roundTrip = new Recorder(3); // each change's own request, sent to answered
        // written on the load's one thread, read after it stopped
        long[] reflected = new long[connections]; // changes a stream has seen, or seen superseded by a newer one
        AtomicLong superseded = new AtomicLong();
        int[] newest = new int[connections * slots]; // per stream and selection: the newest change seen
        Arrays.fill(newest, -1);
        AtomicLong unknown = new AtomicLong();
        byte[] selectionKey = "\"selectionId\":".getBytes(StandardCharsets.US_ASCII);
        byte[] oddsKey = "\"odds\":".getBytes(StandardCharsets.US_ASCII);
        URI nodeUri = URI.create(node);
        SseLoad load = new SseLoad(nodeUri.getHost(), nodeUri.getPort(), "/api/odds/stream", (stream, line, from, to) -> {
            long now = System.nanoTime();
            Integer slot = slotOf.get(SseLoad.number(line, from, to, selectionKey));
            long odds = SseLoad.hundredths(line, from, to, oddsKey);
            long k = slot == null || odds < 201 ? -1 : slot + (long) slots * (odds - 201);
            if (k < 0 || k >= changes || sentAt.get((int) k) <= 0) {
                unknown.incrementAndGet(); // a warm-up change, or another source's
                return;
            }
            int at = stream * slots + slot;
            // the stream's state of this selection now reflects change k and every earlier change of it: each is
            // timed to now (the odds stream sends a selection's newest state; a change superseded within one write
            // arrives as the newer one)
            for (long j = newest[at] < 0 ? slot : newest[at] + slots; j <= k; j += slots) {
                long sent = sentAt.get((int) j);
                if (sent > 0) {
                    reflected[stream]++;
                    latency.recordValue(Math.max(1, (now - sent) / 1000));
                    if (j != k) {
                        superseded.incrementAndGet();
                    }
                }
            }
            newest[at] = (int) Math.max(newest[at], k);
        });
        Thread loader = new Thread(load, "sse-load");
        loader.setDaemon(true);
        loader.start();
        for (int c = 0; c < connections; c++) {
            load.open(c);
            if (c % 500 == 499) {
                Thread.sleep(200); // not all at once: the accept queue is finite
            }
        }
        AtomicInteger open = load.open;
        AtomicInteger ended = load.ended;
        long waitUntil = System.nanoTime() + 60_000_000_000L;
        int warm = 0;
        while (open.get() < connections && System.nanoTime() < waitUntil) {
            Thread.sleep(2_000);
            // a stream may send its headers only with its first event: a change no one times (counted as unknown)
            try {
                send(control, api + "/api/admin/selections/" + selections[0] + "/odds", "PUT", "{\"odds\":"
                        + new BigDecimal("900.00").add(BigDecimal.valueOf(warm++, 2)) + "}", session);
            } catch (Exception e) {
                System.err.println("warm-up change: " + e.getMessage());
            }
        }
        Thread.sleep(2_000);
        long rssOpen = rssKb(pid);

        // changes at a constant rate, round the selections, each to an odds value not used before
        latency.getIntervalHistogram(); // from here on
        roundTrip.getIntervalHistogram();
        long nodeTicks0 = cpuTicks("/proc/" + pid + "/stat");
        long selfTicks0 = cpuTicks("/proc/self/stat");
        long start = System.nanoTime();
        AtomicInteger sentOk = new AtomicInteger();
        List<java.util.concurrent.CompletableFuture<?>> inFlight = new ArrayList<>();
        int late = 0;
        for (int i = 0; i < changes; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (System.nanoTime() - due > 20_000_000L) {
                late++;
            }
            long selection = selections[i % slots];
            BigDecimal odds = new BigDecimal("2.01").add(BigDecimal.valueOf(i / slots, 2));
            int n = i;
            long sentNanos = System.nanoTime();
            sentAt.set(i, sentNanos);
            // sent without waiting for the answer: a constant arrival rate, whatever one change takes
            inFlight.add(control.sendAsync(request(api + "/api/admin/selections/" + selection + "/odds", "PUT",
                    "{\"odds\":" + odds + "}", session), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                        if (e == null && r.statusCode() / 100 == 2) {
                            sentOk.incrementAndGet();
                            roundTrip.recordValue(Math.max(1, (System.nanoTime() - sentNanos) / 1000));
                        } else {
                            sentAt.set(n, -1);
                            System.err.println("change " + n + ": " + (e != null ? e : r.statusCode() + " " + r.body()));
                        }
                    }));
        }
        double took = (System.nanoTime() - start) / 1e9;
        for (var f : inFlight) {
            try {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // counted above
            }
        }
        Thread.sleep(3_000); // the last events on their way
        double cpuSeconds = (System.nanoTime() - start) / 1e9;
        double nodeCores = (cpuTicks("/proc/" + pid + "/stat") - nodeTicks0) / 100.0 / cpuSeconds;
        double selfCores = (cpuTicks("/proc/self/stat") - selfTicks0) / 100.0 / cpuSeconds;
        load.stop();
        loader.join(5_000);
        Histogram h = latency.getIntervalHistogram();
        Histogram rt = roundTrip.getIntervalHistogram();
        long min = Long.MAX_VALUE;
        long total = 0;
        for (int c = 0; c < connections; c++) {
            min = Math.min(min, reflected[c]);
            total += reflected[c];
        }
        long expected = (long) sentOk.get() * open.get();
        System.out.printf("FANOUT %d %d %.1f %d %.2f %.2f %.2f %.2f %d %d %d %d %.1f %d %.2f %.2f %.2f %.2f %d %d%n", connections,
                open.get(), sentOk.get() / took, sentOk.get(), h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0,
                total, expected - total, min == Long.MAX_VALUE ? 0 : min, ended.get(),
                (rssOpen - rssBefore) / (double) Math.max(1, open.get()), late, nodeCores, selfCores,
                rt.getValueAtPercentile(50) / 1000.0, rt.getValueAtPercentile(99) / 1000.0, superseded.get(), slots);
        System.exit(0);
    }

    private static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** User plus system CPU time of a process in clock ticks (1/100 s), from its /proc stat line. */
    private static long cpuTicks(String stat) throws Exception {
        String line = Files.readString(Path.of(stat));
        String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static HttpRequest request(String url, String method, String json, String auth) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header(auth.startsWith("Basic ") ? "Authorization" : "Cookie", auth).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static String send(HttpClient http, String url, String method, String json, String auth) throws Exception {
        HttpResponse<String> r = http.send(request(url, method, json, auth), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static long firstId(String json) {
        Matcher m = ID.matcher(json);
        m.find();
        return Long.parseLong(m.group(1));
    }
}
