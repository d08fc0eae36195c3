package io.holdfast.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Places bets over HTTP at rising concurrency against a running node and prints bets/s and latency
 * percentiles (ha-config/bench-bets uses wrk for the load, a lighter client, and this class for the set-up). Each virtual user is its own bettor with its own session cookie (no bcrypt per request),
 * as a heavy client would do. Run through ha-config/bench-bets, which also runs pgbench for comparison.
 *
 *   java ... io.holdfast.bench.PlacementBenchmark http://127.0.0.1:8090 1,2,4,8,16,32 10
 */
public final class PlacementBenchmark {

    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private PlacementBenchmark(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("--setup")) {
            // for ha-config/bench-bets with wrk: a market and N logged-in bettors, written to a file
            new PlacementBenchmark(args[1]).setUp(Integer.parseInt(args[2]), java.nio.file.Path.of(args[3]));
            return;
        }
        if (args.length == 4 && args[0].equals("--overload")) {
            // for ha-config/bench-overload: accepted bets/s, p99 of the accepted ones, and 429s at one concurrency
            new PlacementBenchmark(args[1]).overload(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        String base = args.length > 0 ? args[0] : "http://127.0.0.1:8090";
        int[] levels = java.util.Arrays.stream((args.length > 1 ? args[1] : "1,2,4,8,16,32").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        new PlacementBenchmark(base).run(levels, seconds);
    }

    private void run(int[] levels, int seconds) throws Exception {
        int users = java.util.Arrays.stream(levels).max().orElse(1);
        long selection = setUpMarket();
        List<String> cookies = new ArrayList<>();
        String run = Long.toString(System.currentTimeMillis(), 36);
        for (int i = 0; i < users; i++) {
            cookies.add(bettor("bench_" + run + "_" + i));
        }
        System.out.printf("%nHoldfast placement benchmark against %s (%d s per level, one bettor per client)%n", base,
                seconds);
        System.out.printf("%-12s %10s %9s %9s %9s %9s %8s%n", "concurrency", "bets/s", "p50 ms", "p95 ms", "p99 ms",
                "max ms", "errors");
        for (int level : levels) {
            level(level, seconds, 2, selection, cookies, run, false); // warm-up
            level(level, seconds, seconds, selection, cookies, run, true);
        }
        System.out.println("selection " + selection + " (for the pgbench script)");
    }

    /**
     * {@code clients} closed-loop clients, each its own bettor; a client refused with 429 waits 10 ms (far less than
     * the Retry-After it was given, to keep the pressure on). Latency percentiles are of the accepted bets only.
     */
    private void overload(int clients, int seconds) throws Exception {
        long selection = setUpMarket();
        String run = Long.toString(System.currentTimeMillis(), 36);
        List<String> cookies = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            cookies.add(bettor("ovl_" + run + "_" + i));
        }
        for (boolean measured : new boolean[] { false, true }) {
            int runSeconds = measured ? seconds : 3;
            Recorder accepted = new Recorder(3);
            AtomicLong ok = new AtomicLong();
            AtomicLong shed = new AtomicLong();
            AtomicLong other = new AtomicLong();
            placeUntil(cookies.subList(0, clients), run + "-" + (measured ? "m" : "w"), selection, runSeconds,
                    Duration.ofSeconds(30), (status, micros) -> {
                        if (status == 201) {
                            accepted.recordValue(micros);
                            ok.incrementAndGet();
                        } else if (status == 429) {
                            shed.incrementAndGet();
                            Thread.sleep(10);
                        } else {
                            other.incrementAndGet();
                        }
                    });
            if (measured) {
                Histogram h = accepted.getIntervalHistogram();
                System.out.printf("RESULT %d %.0f %.2f %.2f %.2f %d %d%n", clients, ok.get() / (double) runSeconds,
                        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                        h.getMaxValue() / 1000.0, shed.get(), other.get());
            }
        }
    }

    private void setUp(int users, java.nio.file.Path out) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(Long.toString(setUpMarket()));
        String run = Long.toString(System.currentTimeMillis(), 36);
        for (int i = 0; i < users; i++) {
            lines.add(bettor("bench_" + run + "_" + i));
        }
        java.nio.file.Files.write(out, lines);
    }

    private void level(int concurrency, int seconds, int runSeconds, long selection, List<String> cookies, String run,
            boolean print) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        placeUntil(cookies.subList(0, concurrency), run + "-" + concurrency + "-" + (print ? "m" : "w"), selection,
                runSeconds, Duration.ofSeconds(10), (status, micros) -> {
                    if (status != -1) {
                        recorder.recordValue(micros);
                    }
                    if (status == 201) {
                        ok.incrementAndGet();
                    } else {
                        errors.incrementAndGet();
                    }
                });
        if (print) {
            Histogram h = recorder.getIntervalHistogram();
            System.out.printf("%-12d %10.0f %9.2f %9.2f %9.2f %9.2f %8d%n", concurrency, ok.get() / (double) runSeconds,
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(95) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, errors.get());
        }
    }

    /** What a client does with one answer: its status (-1 when the request failed) and its latency in µs. */
    @FunctionalInterface
    private interface Answer {
        void accept(int status, long micros) throws Exception;
    }

    /** One closed-loop client per cookie, each placing single bets one after another until {@code seconds} pass. */
    private void placeUntil(List<String> cookies, String prefix, long selection, int seconds, Duration timeout,
            Answer answer) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(cookies.size());
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < cookies.size(); c++) {
            String cookie = cookies.get(c);
            String ids = prefix + "-" + c + "-";
            futures.add(pool.submit(() -> {
                long n = 0;
                while (System.nanoTime() < deadline) {
                    String body = "{\"requestId\":\"" + ids + (n++) + "\",\"stake\":10,\"oddsChange\":\"ANY\","
                            + "\"legs\":[{\"selectionId\":" + selection + ",\"odds\":1.90}]}";
                    long start = System.nanoTime();
                    int status;
                    try {
                        status = http.send(HttpRequest.newBuilder(URI.create(base + "/api/bets")).timeout(timeout)
                                .header("Content-Type", "application/json").header("Cookie", cookie)
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (Exception e) {
                        status = -1;
                    }
                    answer.accept(status, Math.max(1, (System.nanoTime() - start) / 1000));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }

    private long setUpMarket() throws Exception {
        // the admin password of the node under test (a node outside dev/test refuses the dev default)
        String password = System.getenv().getOrDefault("HOLDFAST_ADMIN_PASSWORD", "admin");
        String admin = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        String event = post("/api/admin/events", "{\"name\":\"Benchmark FC v Load United\",\"startsAt\":\"2031-01-01T00:00:00Z\"}",
                "Authorization", admin);
        long eventId = firstId(event);
        String market = post("/api/admin/events/" + eventId + "/markets",
                "{\"name\":\"Match result\",\"selections\":[{\"name\":\"Home\",\"odds\":1.90},{\"name\":\"Away\",\"odds\":1.90}]}",
                "Authorization", admin);
        Matcher m = ID.matcher(market);
        m.find(); // the market
        m.find(); // its first selection
        return Long.parseLong(m.group(1));
    }

    private String bettor(String username) throws Exception {
        String password = "bench-password";
        post("/api/accounts", "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/api/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        HttpResponse<String> deposit = http.send(HttpRequest.newBuilder(URI.create(base + "/api/wallet/deposits"))
                .header("Content-Type", "application/json").header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString("{\"requestId\":\"bench\",\"amount\":9000000}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (deposit.statusCode() != 201) {
            throw new IllegalStateException("deposit failed: " + deposit.body());
        }
        return cookie;
    }

    private String post(String path, String json, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static long firstId(String json) {
        Matcher m = ID.matcher(json);
        m.find();
        return Long.parseLong(m.group(1));
    }
}
