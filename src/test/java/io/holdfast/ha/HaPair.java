package io.holdfast.ha;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.holdfast.pair.BetTraffic;

/**
 * The whole pair (etcd, Patroni x2, HAProxy, two app nodes) as {@code ha-config/holdfast-pair up} runs it, in its
 * own run directory and on its own ports (an offset added to each default port), so a developer's pair on the default ports
 * is left alone. Faults go through the launcher's verbs, exactly as an operator would use them.
 */
final class HaPair implements AutoCloseable, BetTraffic.Route {

    final int offset;
    final Path run;
    final int lbPort;
    final int dbPort;
    private boolean kafka;

    /** The test suite's pair: target/ha-pair, ports + {@value #TEST_OFFSET}. */
    HaPair() {
        this("target/ha-pair", TEST_OFFSET);
    }

    HaPair(String runDir, int offset) {
        this.offset = offset;
        this.run = root.resolve(runDir);
        this.lbPort = 8080 + offset;
        this.dbPort = 5000 + offset;
    }

    static final int TEST_OFFSET = 20000;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    final Path root = Path.of("").toAbsolutePath();

    int nodePort(String node) {
        return (node.equals("node-a") ? 8081 : 8082) + offset;
    }

    int restPort(String db) {
        return (db.equals("pg-1") ? 8008 : 8009) + offset;
    }

    /** This pair with its three Kafka brokers and the outbox publisher on (holdfast-pair's HOLDFAST_KAFKA=on). */
    HaPair withKafka() {
        kafka = true;
        return this;
    }

    String lb() {
        return "http://127.0.0.1:" + lbPort;
    }

    /** Runs a launcher command; returns its output (stdout and stderr), fails on a non-zero exit. */
    String pair(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("ha-config/holdfast-pair").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("HOLDFAST_RUN_DIR", run.toString());
        env.put("HOLDFAST_PORT_OFFSET", String.valueOf(offset));
        // Kafka's three brokers only for the tests that need them (issue 14): the others start faster and lighter
        env.put("HOLDFAST_KAFKA", kafka ? "on" : "off");
        // the bench signs up all its bettors from this one address (through HAProxy)
        env.merge("HOLDFAST_JAVA_OPTS", "-Dholdfast.security.signups-per-address=100000", (a, b) -> a + " " + b);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("holdfast-pair " + String.join(" ", args) + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("holdfast-pair " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    /**
     * Runs a fault verb and returns when it struck, on the System.nanoTime scale (the launcher prints the wall
     * clock right after the signal as at_ms=…; the start of a bash script must not count as outage).
     */
    long fault(String... verb) throws Exception {
        String out = pair(verb);
        System.out.print(out);
        var m = java.util.regex.Pattern.compile("at_ms=(\\d+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException(String.join(" ", verb) + " printed no at_ms: " + out);
        }
        return System.nanoTime() - (System.currentTimeMillis() - Long.parseLong(m.group(1))) * 1_000_000L;
    }

    /** Every process id the launcher recorded in RUN/pids (what `up` started, and helpers), and both postmasters. */
    List<Long> recordedPids() throws Exception {
        List<Path> files = new ArrayList<>();
        try (var list = Files.list(run.resolve("pids"))) {
            list.filter(f -> f.toString().endsWith(".pid")).forEach(files::add);
        }
        for (String db : List.of("pg-1", "pg-2")) {
            files.add(run.resolve("db/" + db + "/data/postmaster.pid"));
        }
        List<Long> pids = new ArrayList<>();
        for (Path f : files) {
            if (Files.isReadable(f)) {
                String first = Files.readAllLines(f).stream().findFirst().orElse("").trim();
                if (first.matches("\\d+")) {
                    pids.add(Long.parseLong(first));
                }
            }
        }
        return pids;
    }

    /**
     * A fresh pair: whatever an earlier run left is stopped and removed first, the run directory and the database
     * side's directory, which lives outside it when the tests run as root (holdfast-pair says where and why).
     */
    HaPair up() throws Exception {
        pair("destroy");
        System.out.println(pair("up"));
        return this;
    }

    @Override
    public void close() throws Exception {
        System.out.println(pair("status"));
        System.out.println(pair("down"));
    }

    /** Patroni's {@code /cluster} from whichever member answers. */
    JsonNode patroni() {
        for (String member : List.of("pg-1", "pg-2")) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + restPort(member) + "/cluster")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return JSON.readTree(r.body());
                }
            } catch (Exception e) {
                // try the other member
            }
        }
        return JSON.createObjectNode();
    }

    /** Name of the member in this role and state running/streaming, or null. */
    String member(String role) {
        for (JsonNode m : patroni().path("members")) {
            String state = m.path("state").asText();
            if (m.path("role").asText().equals(role) && (state.equals("running") || state.equals("streaming"))) {
                return m.path("name").asText();
            }
        }
        return null;
    }

    int status(String node, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodePort(node) + path))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    String activeNode() {
        for (String node : List.of("node-a", "node-b")) {
            if (status(node, "/q/health/ready") == 200) {
                return node;
            }
        }
        return null;
    }

    JsonNode get(String path, String user, String password) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(lb() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", basic(user, password)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Every attempt goes through HAProxy, which picks the node. */
    @Override
    public String first() {
        return lb();
    }

    @Override
    public String after(String failed) {
        return lb();
    }

    @Override
    public String nodeOf(String url) {
        return "haproxy";
    }

    /**
     * Bets from {@code clients} new bettors through HAProxy (the client: 10 s timeout, retries by requestId)
     * around the launcher's fault {@code verb}: 2 s of bets, the fault, up to {@code bound} for a bet accepted after
     * it, 2 s more.
     */
    BetTraffic.Faulted aroundFault(String prefix, int clients, Duration bound, String... verb) throws Exception {
        List<BetTraffic.Bettor> bettors = BetTraffic.bettors(lb(), prefix, clients);
        BetTraffic.Market market = BetTraffic.market(lb(), password("admin"), "Around " + String.join(" ", verb) + " " + prefix);
        BetTraffic traffic = new BetTraffic(this, bettors, market.home(), prefix, BetTraffic.Client.THROUGH_LB);
        return BetTraffic.aroundFault(traffic, Duration.ofSeconds(2), bound, Duration.ofSeconds(2), () -> fault(verb));
    }

    /** The app's database through HAProxy's primary frontend (as the app reaches it). */
    @Override
    public Connection db() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + dbPort
                + "/holdfast?connectTimeout=2&socketTimeout=10", "holdfast", secret("HOLDFAST_DB_PASSWORD"));
    }

    /** The generated password of a bootstrap user ({@code admin} or {@code ops}). */
    String password(String user) {
        return secret(user.equals("admin") ? "HOLDFAST_ADMIN_PASSWORD" : "HOLDFAST_OPS_PASSWORD");
    }

    /** A secret the launcher generated into RUN/secrets.env on its first {@code up}. */
    String secret(String name) {
        try {
            return Files.readAllLines(run.resolve("secrets.env")).stream().filter(l -> l.startsWith(name + "="))
                    .map(l -> l.substring(name.length() + 1)).findFirst()
                    .orElseThrow(() -> new IllegalStateException(name + " not in " + run.resolve("secrets.env")));
        } catch (IOException e) {
            throw new IllegalStateException("no secrets in " + run + ": is the pair up?", e);
        }
    }

    long restarts(String node) throws IOException {
        Path file = run.resolve("logs/restarts");
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> l.contains(" " + node + " ")).count()
                : 0;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
