package io.holdfast.pair;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Two real processes of the packaged application (target/quarkus-app) on loopback, against the local
 * PostgreSQL (ha-config/pg-local), with real faults: kill -9, SIGSTOP/SIGCONT, iptables, a PostgreSQL
 * restart. Used by the *IT tests and by the failover benchmark.
 */
public final class Pair implements AutoCloseable, BetTraffic.Route {

    public static final String A = "node-a";
    public static final String B = "node-b";
    static final String DATABASE = "holdfast_it";
    static final String DB_USER = "holdfast_it";

    public final class Node {
        final String name;
        final int httpPort;
        final int jgroupsPort;
        Process process;

        Node(String name, int httpPort, int jgroupsPort) {
            this.name = name;
            this.httpPort = httpPort;
            this.jgroupsPort = jgroupsPort;
        }

        public String name() {
            return name;
        }

        public String url() {
            return "http://127.0.0.1:" + httpPort;
        }

        public long pid() {
            return process.pid();
        }

        public boolean alive() {
            return process != null && process.isAlive();
        }

        public boolean ready() {
            return status("GET", "/q/health/ready", null, null) == 200;
        }

        public int status(String method, String path, String body, String cookie) {
            try {
                return send(method, path, body, cookie, Duration.ofSeconds(2)).statusCode();
            } catch (Exception e) {
                return -1;
            }
        }

        public HttpResponse<String> send(String method, String path, String body, String cookie, Duration timeout)
                throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(timeout)
                    .header("Content-Type", "application/json");
            if (cookie != null) {
                b.header("Cookie", cookie);
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        public String adminPassword() {
            return password("admin");
        }

        /** As the bootstrap admin, whose password this pair generated. */
        public String asAdmin(String method, String path, String body) throws Exception {
            return as("admin", password("admin"), method, path, body);
        }

        /** As the bootstrap ops user, whose password this pair generated. */
        public String asOps(String method, String path, String body) throws Exception {
            return as("ops", password("ops"), method, path, body);
        }

        public String as(String user, String password, String method, String path, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder()
                            .encodeToString((user + ":" + password).getBytes()));
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " on " + name + " -> " + r.statusCode() + " " + r.body());
            }
            return r.body();
        }
    }

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private final Path root;
    private final Path work;
    private final int pgPort;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<String> jvmArgs;
    /** The production profile refuses dev-default secrets (ProductionSecrets): each pair makes its own. */
    private final Map<String, String> secrets = new LinkedHashMap<>();

    public Pair(String... jvmArgs) throws Exception {
        this.root = Path.of("").toAbsolutePath();
        this.work = root.resolve("target/pair");
        Files.createDirectories(work);
        for (String name : List.of("HOLDFAST_DB_PASSWORD", "HOLDFAST_SESSION_KEY", "HOLDFAST_ADMIN_PASSWORD",
                "HOLDFAST_OPS_PASSWORD", "HOLDFAST_CLUSTER_SECRET")) {
            secrets.put(name, randomSecret());
        }
        this.pgPort = Integer.parseInt(run(root.resolve("ha-config/pg-local").toString(), "start").trim());
        run(root.resolve("ha-config/pg-local").toString(), "recreate", DATABASE, DB_USER,
                secrets.get("HOLDFAST_DB_PASSWORD"));
        List<String> args = new ArrayList<>();
        // the harness signs up all its bettors from this one address
        args.add("-Dholdfast.security.signups-per-address=100000");
        args.addAll(List.of(jvmArgs));
        this.jvmArgs = List.copyOf(args);
        // one draw for all four: a node's JGroups port p also takes p + 100 (FD_SOCK2's offset), which must be
        // neither the other node's JGroups port nor an HTTP port (once, node-a's FD_SOCK2 took node-b's port)
        int[] ports = freePorts(4);
        nodes.put(A, new Node(A, ports[0], ports[2]));
        nodes.put(B, new Node(B, ports[1], ports[3]));
    }

    /** The generated password of a bootstrap user ({@code admin} or {@code ops}). */
    public String password(String user) {
        return secrets.get(user.equals("admin") ? "HOLDFAST_ADMIN_PASSWORD" : "HOLDFAST_OPS_PASSWORD");
    }

    /** The environment that carries this pair's secrets, for anything else that starts the jar against it. */
    public Map<String, String> secrets() {
        return Map.copyOf(secrets);
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public Node node(String name) {
        return nodes.get(name);
    }

    public java.util.Collection<Node> nodes() {
        return nodes.values();
    }

    /** Starts any node that is not running (after a kill) and waits until the two are one cluster again. */
    public void ensureBoth() throws Exception {
        for (Node n : nodes.values()) {
            if (!n.alive()) {
                startNode(n.name);
            }
        }
        awaitCluster();
    }

    public Node other(Node n) {
        return n.name.equals(A) ? nodes.get(B) : nodes.get(A);
    }

    /**
     * Starts node-a, waits until it is ACTIVE, then node-b and waits until both are one cluster. If that fails the
     * nodes it started are stopped before the failure goes on: {@code try (Pair p = new Pair().start())} never gets
     * the pair to close, and a node left running keeps its ports and its database sessions for the next test.
     */
    public Pair start() throws Exception {
        try {
            startNode(A);
            await("node-a ACTIVE", Duration.ofSeconds(60), () -> node(A).ready());
            startNode(B);
            awaitCluster();
            return this;
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    public void startNode(String name) throws IOException {
        Node n = nodes.get(name);
        String members = nodes.values().stream().map(x -> "127.0.0.1[" + x.jgroupsPort + "]")
                .reduce((x, y) -> x + "," + y).orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", root.resolve("target/quarkus-app/quarkus-run.jar").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve(name + ".log").toFile()));
        Map<String, String> env = pb.environment();
        env.putAll(secrets);
        env.put("HOLDFAST_DB_USER", DB_USER);
        env.put("HOLDFAST_NODE_NAME", name);
        env.put("HOLDFAST_HTTP_PORT", Integer.toString(n.httpPort));
        env.put("HOLDFAST_JGROUPS_PORT", Integer.toString(n.jgroupsPort));
        env.put("HOLDFAST_JGROUPS_MEMBERS", members);
        env.put("HOLDFAST_DB_URL", jdbcUrl());
        env.put("HOLDFAST_TX_DIR", work.resolve("tx-" + name).toString());
        n.process = pb.start();
    }

    /** Waits until both nodes run, one is ACTIVE, and each sees the other in its JGroups view. */
    public void awaitCluster() throws Exception {
        await("one cluster of two with one ACTIVE", Duration.ofSeconds(90), () -> {
            try {
                int active = 0;
                for (Node n : nodes.values()) {
                    String cluster = n.asOps("GET", "/api/ops/cluster", null);
                    if (cluster.contains("UNREACHABLE") || !cluster.contains(A) || !cluster.contains(B)) {
                        return false;
                    }
                    active += n.ready() ? 1 : 0;
                }
                return active == 1;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** A client's first attempt goes to the node that is ready now (node-a if none is). */
    @Override
    public String first() {
        Node a = active();
        return (a != null ? a : node(A)).url();
    }

    /** After a failed attempt the client tries the other node. */
    @Override
    public String after(String failed) {
        return nodes.values().stream().filter(n -> !n.url().equals(failed)).findFirst().orElseThrow().url();
    }

    @Override
    public String nodeOf(String url) {
        return nodes.values().stream().filter(n -> n.url().equals(url)).findFirst().map(Node::name).orElse(url);
    }

    public Node active() {
        return nodes.values().stream().filter(Node::ready).findFirst().orElse(null);
    }

    public void kill9(Node n) throws Exception {
        signal(n, "KILL");
        n.process.waitFor();
    }

    public void signal(Node n, String signal) throws Exception {
        run("kill", "-" + signal, Long.toString(n.pid()));
    }

    /** Drops all JGroups traffic between the nodes on loopback (both still reach PostgreSQL). */
    public void partition() throws Exception {
        run("iptables", "-N", "HOLDFAST_IT");
        run("iptables", "-I", "INPUT", "-j", "HOLDFAST_IT");
        for (Node n : nodes.values()) {
            // the transport port and FD_SOCK2's (offset 100 in jgroups-holdfast-tcp.xml)
            for (int port : new int[] { n.jgroupsPort, n.jgroupsPort + 100 }) {
                run("iptables", "-A", "HOLDFAST_IT", "-i", "lo", "-p", "tcp", "--dport", Integer.toString(port), "-j", "DROP");
                run("iptables", "-A", "HOLDFAST_IT", "-i", "lo", "-p", "tcp", "--sport", Integer.toString(port), "-j", "DROP");
            }
        }
    }

    public void heal() {
        try {
            run("iptables", "-D", "INPUT", "-j", "HOLDFAST_IT");
        } catch (Exception ignored) {
            // not partitioned
        }
        try {
            run("iptables", "-F", "HOLDFAST_IT");
            run("iptables", "-X", "HOLDFAST_IT");
        } catch (Exception ignored) {
            // no chain
        }
    }

    /** Stops the local PostgreSQL under both nodes (returns once it is down). */
    public void stopPostgres() throws Exception {
        run(root.resolve("ha-config/pg-local").toString(), "stop");
    }

    public void startPostgres() throws Exception {
        run(root.resolve("ha-config/pg-local").toString(), "start");
    }

    public void restartPostgres(int downSeconds) throws Exception {
        run(root.resolve("ha-config/pg-local").toString(), "restart", Integer.toString(downSeconds));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + pgPort + "/" + DATABASE;
    }

    @Override
    public Connection db() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), DB_USER, secrets.get("HOLDFAST_DB_PASSWORD"));
    }

    public long sqlLong(String sql, Object... params) throws SQLException {
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public String log(String name) throws IOException {
        Path p = work.resolve(name + ".log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    @Override
    public void close() {
        heal();
        for (Node n : nodes.values()) {
            if (n.process != null && n.process.isAlive()) {
                try {
                    run("kill", "-CONT", Long.toString(n.pid()));
                } catch (Exception ignored) {
                    // already gone
                }
                n.process.destroyForcibly();
                try {
                    n.process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    /**
     * Free ports above Linux's ephemeral range (32768-60999): a port the kernel picked for us is free now, but any
     * outgoing connection (a node's JDBC socket, say) may take it before the node binds it, which once failed a
     * node's JGroups start ("No available port to bind to"). Nothing takes a port up here unless asked for it.
     */
    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        Random random = new Random();
        for (int i = 0, tries = 0; i < n; tries++) {
            if (tries > 1000) {
                throw new IOException("no free port between 61000 and 65399 (and 100 above it)");
            }
            int port = 61_000 + random.nextInt(4_400);
            boolean taken = false;
            for (int j = 0; j < i; j++) {
                int apart = Math.abs(ports[j] - port);
                taken |= apart == 0 || apart == 100; // a JGroups port's FD_SOCK2 server listens 100 above it
            }
            if (taken) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(); ServerSocket above = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", port));
                above.bind(new InetSocketAddress("127.0.0.1", port + 100));
                ports[i++] = port;
            } catch (IOException busy) {
                // in use: try another
            }
        }
        return ports;
    }
}
