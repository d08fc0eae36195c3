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
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

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
        if (args.length >= 5 && args[0].equals("--rate")) {
            // for ha-config/bench-throughput: a constant arrival rate (open loop), latency from each bet's intended start
            Recorded r = new PlacementBenchmark(args[1]).atRate(java.nio.file.Path.of(args[2]), Double.parseDouble(args[3]),
                    Integer.parseInt(args[4]), 3, null);
            r.print("RATE");
            return;
        }
        if (args.length == 2 && args[0].equals("--market")) {
            // for ha-config/bench-throughput: a new event with one two-way market; prints "event market home away"
            System.out.println(new PlacementBenchmark(args[1]).newMarket());
            return;
        }
        if (args.length == 6 && args[0].equals("--settle")) {
            // for ha-config/bench-throughput: post a market's result while a constant-rate load places bets on another
            new PlacementBenchmark(args[1]).settle(Long.parseLong(args[2]), Long.parseLong(args[3]),
                    java.nio.file.Path.of(args[4]), Double.parseDouble(args[5]));
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

    /** What a constant-rate run saw: bets sent and accepted, errors, and both latency histograms (µs). */
    private record Recorded(double rate, double seconds, long sent, long ok, long errors, long late, Histogram corrected,
            Histogram service, Map<Integer, Long> errorStatuses) {
        /**
         * One line: TAG rate achieved/s ok errors p50 p90 p99 p99.9 max (corrected, ms) p50 p99 max (uncorrected), late,
         * then the errors by HTTP status (-1: no answer), e.g. {@code 503:12,-1:2}, or {@code -} when there was none.
         */
        void print(String tag) {
            String statuses = errorStatuses.isEmpty() ? "-" : errorStatuses.entrySet().stream()
                    .map(e -> e.getKey() + ":" + e.getValue()).collect(java.util.stream.Collectors.joining(","));
            System.out.printf("%s %.0f %.1f %d %d %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f %d %s%n", tag, rate,
                    ok / seconds, ok, errors, ms(corrected, 50), ms(corrected, 90), ms(corrected, 99),
                    ms(corrected, 99.9), corrected.getMaxValue() / 1000.0, ms(service, 50), ms(service, 99),
                    service.getMaxValue() / 1000.0, late, statuses);
        }

        private static double ms(Histogram h, double percentile) {
            return h.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /**
     * Open-loop load: bet i is due at {@code start + i / rate} whatever happened to the bets before it, and its latency
     * is counted from that intended moment, not from when it was sent, so a stall of the server (or of this client)
     * shows in full in the percentiles instead of silently lowering the rate (coordinated omission). The bettors
     * take turns; {@code warmUp} seconds at the same rate come first, not recorded. {@code stop}, when given, ends
     * the measured part early once it turns true (the settlement run).
     */
    private Recorded atRate(java.nio.file.Path cookieFile, double rate, int seconds, int warmUp,
            java.util.function.BooleanSupplier stop) throws Exception {
        List<String> lines = java.nio.file.Files.readAllLines(cookieFile);
        long selection = Long.parseLong(lines.get(0).trim());
        List<String> cookies = lines.subList(1, lines.size());
        String run = "r" + Long.toString(System.nanoTime(), 36);
        Histogram corrected = new Histogram(60_000_000L, 3);
        Histogram service = new Histogram(60_000_000L, 3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong late = new AtomicLong();
        Map<Integer, Long> errorStatuses = new java.util.concurrent.ConcurrentSkipListMap<>();
        long interval = (long) (1_000_000_000L / rate);
        long start = System.nanoTime();
        long measureFrom = start + warmUp * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        java.util.concurrent.ConcurrentLinkedQueue<java.util.concurrent.CompletableFuture<?>> inFlight =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        // Vert.x's client on one event loop, not the JDK's HttpClient: at 160 bets/s, side by side, the JDK's took
        // 0.61-0.64 of this machine's 2 cores from the pair it measures, this one 0.23-0.28; connections are kept
        // alive and opened as the load needs them
        URI uri = URI.create(base + "/api/bets");
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                .setConnectTimeout(5_000).setIdleTimeout(30), new PoolOptions().setHttp1MaxSize(512)
                .setMaxWaitQueueSize(-1));
        RequestOptions bets = new RequestOptions().setMethod(HttpMethod.POST).setHost(uri.getHost())
                .setPort(uri.getPort()).setURI(uri.getPath()).putHeader("Content-Type", "application/json");
        long sent = 0;
        long measuredEnd = end;
        for (long i = 0;; i++) {
            long intended = start + i * interval;
            if (intended >= end) {
                break;
            }
            if (stop != null && intended >= measureFrom && stop.getAsBoolean()) {
                measuredEnd = intended;
                break;
            }
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            if (System.nanoTime() - intended > 10_000_000L) {
                late.incrementAndGet(); // this client sent it more than 10 ms after it was due (still counted from due)
            }
            boolean measured = intended >= measureFrom;
            if (measured) {
                sent++;
            }
            String body = "{\"requestId\":\"" + run + "-" + i + "\",\"stake\":10,\"oddsChange\":\"ANY\","
                    + "\"legs\":[{\"selectionId\":" + selection + ",\"odds\":1.90}]}";
            long sentAt = System.nanoTime();
            String cookie = cookies.get((int) (i % cookies.size()));
            java.util.concurrent.CompletableFuture<?> f = client.request(new RequestOptions(bets)
                    .putHeader("Cookie", cookie))
                    .compose(request -> request.send(Buffer.buffer(body)))
                    .compose(response -> response.body().map(ignored -> response.statusCode()))
                    .toCompletionStage().toCompletableFuture()
                    .whenComplete((status, failure) -> {
                        long now = System.nanoTime();
                        if (!measured) {
                            return;
                        }
                        synchronized (corrected) {
                            corrected.recordValue(Math.min(60_000_000L, Math.max(1, (now - intended) / 1000)));
                            service.recordValue(Math.min(60_000_000L, Math.max(1, (now - sentAt) / 1000)));
                        }
                        // 200: the bet of this requestId, already placed (HAProxy sent the request again after its
                        // 750 ms timeout and the first one had committed): placed once, as the API promises
                        if (failure == null && (status == 201 || status == 200)) {
                            ok.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                            errorStatuses.merge(failure == null ? status : -1, 1L, Long::sum);
                        }
                    });
            inFlight.add(f);
            inFlight.removeIf(java.util.concurrent.CompletableFuture::isDone);
        }
        for (var f : inFlight) {
            try {
                f.get(40, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // counted in whenComplete
            }
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        double measuredSeconds = Math.max(0.001, (measuredEnd - measureFrom) / 1e9);
        return new Recorded(rate, measuredSeconds, sent, ok.get(), errors.get(), late.get(), corrected, service,
                errorStatuses);
    }

    /**
     * Posts the result of {@code market} (its selection {@code winner} won) and waits until the settlement is done
     * (the market SETTLED), while bets are placed at {@code rate} per second on another market; prints the time
     * from the post to SETTLED as this client saw it and the placement latency during the settlement.
     */
    private void settle(long market, long winner, java.nio.file.Path cookieFile, double rate) throws Exception {
        String password = System.getenv().getOrDefault("HOLDFAST_ADMIN_PASSWORD", "admin");
        String admin = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        // the poller reads the market's state with a session: Basic authentication is a bcrypt per request, which
        // would put this client's own polling among the node's top costs
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/api/session"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"admin\",\"password\":\"" + password + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        String session = login.headers().firstValue("set-cookie").orElseThrow(
                () -> new IllegalStateException("admin login: " + login.statusCode() + " " + login.body())).split(";")[0];
        java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong postedAt = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong settledAt = new java.util.concurrent.atomic.AtomicLong();
        Thread poster = new Thread(() -> {
            try {
                Thread.sleep(3_000); // the load's warm-up first
                postedAt.set(System.nanoTime());
                // a 503 (no node ACTIVE for a moment): the same result again, which is a no-op once it is in
                for (int attempt = 0;; attempt++) {
                    try {
                        post("/api/admin/markets/" + market + "/result", "{\"winners\":[" + winner + "],\"void\":[]}",
                                "Cookie", session);
                        break;
                    } catch (IllegalStateException e) {
                        if (attempt >= 60 || !e.getMessage().contains("-> 503")) {
                            throw e;
                        }
                        System.err.println("result post: " + e.getMessage().substring(0, 60) + "..., again in 0.5 s");
                        Thread.sleep(500);
                    }
                }
                while (true) {
                    // the winner's quote, as the odds book holds it (refreshed once the market is SETTLED): no database
                    // read; the market's admin view sums the liabilities of all its legs, and read every 100 ms over
                    // 100 000 legs it was the database's top cost during the settlement it measured
                    HttpResponse<String> state = http.send(HttpRequest.newBuilder(URI.create(base + "/api/odds/"
                            + winner)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (state.body().contains("\"marketStatus\":\"SETTLED\"")) {
                        settledAt.set(System.nanoTime());
                        break;
                    }
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                System.err.println("settlement run: " + e);
            } finally {
                settled.set(true);
            }
        });
        poster.start();
        Recorded during = atRate(cookieFile, rate, 900, 3, settled::get);
        poster.join();
        System.out.printf("SETTLED %.3f%n", settledAt.get() == 0 ? -1 : (settledAt.get() - postedAt.get()) / 1e9);
        during.print("DURING");
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

    private String newMarket() throws Exception {
        String password = System.getenv().getOrDefault("HOLDFAST_ADMIN_PASSWORD", "admin");
        String admin = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        long eventId = firstId(post("/api/admin/events", "{\"name\":\"Settlement FC v Whistle Town "
                + System.nanoTime() + "\",\"startsAt\":\"2031-01-01T00:00:00Z\"}", "Authorization", admin));
        Matcher m = ID.matcher(post("/api/admin/events/" + eventId + "/markets", "{\"name\":\"Match result\","
                + "\"selections\":[{\"name\":\"Home\",\"odds\":1.90},{\"name\":\"Away\",\"odds\":1.90}]}",
                "Authorization", admin));
        StringBuilder ids = new StringBuilder().append(eventId);
        for (int i = 0; i < 3 && m.find(); i++) {
            ids.append(' ').append(m.group(1));
        }
        return ids.toString();
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
