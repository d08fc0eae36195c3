package io.holdfast.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.holdfast.pair.BetTraffic;

/**
 * The GEO-DR drill of issue 15 end to end, through {@code ha-config/holdfast-dr} as an operator runs it, under a bet
 * stream through the front door: site A lost (frozen), site B promoted (RTO and RPO measured against the client's
 * history), a resumed site-A node shown fenced, then the failback to A with no acknowledged bet lost and both sites'
 * data equal. Four PostgreSQL clusters, four app JVMs and a link with 30 ms each way: minutes, so it runs only on
 * request ({@code -Dgroups=geo-dr -DexcludedGroups= -Dit.test=GeoDrIT}; docs/geo-dr.md).
 */
@Tag("geo-dr")
class GeoDrIT {

    static final int OFFSET_A = 15000;
    static final int OFFSET_B = 15500;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    final Path root = Path.of("").toAbsolutePath();
    final Path dir = root.resolve("target/geo-dr");
    final String front = "http://127.0.0.1:" + (8070 + OFFSET_A);
    volatile String primarySite = "A";

    String dr(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("ha-config/holdfast-dr").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("HOLDFAST_DR_DIR", dir.toString());
        env.put("HOLDFAST_DR_OFFSET_A", String.valueOf(OFFSET_A));
        env.put("HOLDFAST_DR_OFFSET_B", String.valueOf(OFFSET_B));
        env.merge("HOLDFAST_JAVA_OPTS", "-Dholdfast.security.signups-per-address=100000", (a, b) -> a + " " + b);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("holdfast-dr " + String.join(" ", args) + " did not finish");
        }
        System.out.print(out);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("holdfast-dr " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    /** When the verb's fault struck, on the System.nanoTime scale (it prints at_ms=… right after the signal). */
    long struck(String out) {
        Matcher m = Pattern.compile("at_ms=(\\d+)").matcher(out);
        assertThat(m.find()).as("at_ms in:\n%s", out).isTrue();
        return System.nanoTime() - (System.currentTimeMillis() - Long.parseLong(m.group(1))) * 1_000_000L;
    }

    Path site(String s) {
        return dir.resolve("site-" + s.toLowerCase());
    }

    String secret(String name) throws Exception {
        return Files.readAllLines(site("A").resolve("secrets.env")).stream().filter(l -> l.startsWith(name + "="))
                .map(l -> l.substring(name.length() + 1)).findFirst().orElseThrow();
    }

    Connection db(String s) throws SQLException {
        int port = 5000 + (s.equals("A") ? OFFSET_A : OFFSET_B);
        try {
            return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port
                    + "/holdfast?connectTimeout=2&socketTimeout=10", "holdfast", secret("HOLDFAST_DB_PASSWORD"));
        } catch (SQLException e) {
            throw e;
        } catch (Exception e) {
            throw new SQLException(e);
        }
    }

    int status(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** All attempts go through the front door; the truth is the primary site's database. */
    BetTraffic.Route route() {
        return new BetTraffic.Route() {
            @Override
            public String first() {
                return front;
            }

            @Override
            public String after(String failed) {
                return front;
            }

            @Override
            public String nodeOf(String url) {
                return "front-door";
            }

            @Override
            public Connection db() throws SQLException {
                return GeoDrIT.this.db(primarySite);
            }
        };
    }

    @Test
    void siteALostThenBPromotedThenFailbackWithNoLoss() throws Exception {
        // -Dgeo-dr.drills=N: the drill N times on the same two sites (after a failback the sites are as after 'up')
        int drills = Integer.getInteger("geo-dr.drills", 1);
        dr("destroy");
        try {
            dr("up");
            List<BetTraffic.Bettor> bettors = BetTraffic.bettors(front, "geo", 8);
            BetTraffic.Market market = BetTraffic.market(front, secret("HOLDFAST_ADMIN_PASSWORD"), "GEO-DR drill");
            // the bettors and the market must be at site B before A goes: their sign-up was acknowledged at A only
            Thread.sleep(1000);
            // site B's app pair runs before the loss, held before its first write (the RTO has no JVM start in it)
            for (String n : List.of("node-a", "node-b")) {
                assertThat(Files.readString(site("B").resolve("logs/" + n + ".log")))
                        .as("site B's %s started and held", n).contains("await-promotion: waiting");
            }

            for (int run = 1; run <= drills; run++) {
                System.out.println("GEO-DR drill " + run + " of " + drills);
                primarySite = "A";
                int portA = 8081 + OFFSET_A;
                String activeA = status(portA, "/q/health/ready") == 200 ? "node-a" : "node-b";
                int activePortA = activeA.equals("node-a") ? portA : portA + 1;
                long activePid = Long.parseLong(Files.readString(site("A").resolve("pids/" + activeA + ".pid")).trim());

                // 1. site A lost under a bet stream; B promoted; RTO and RPO as the client saw them
                BetTraffic lost = new BetTraffic(route(), bettors, market.home(), "lost" + run,
                        BetTraffic.Client.THROUGH_LB.giveUpAfter(Duration.ofMinutes(3)));
                long[] downAt = new long[1];
                BetTraffic.Faulted f = BetTraffic.aroundFault(lost, Duration.ofSeconds(3), Duration.ofMinutes(3),
                        Duration.ofSeconds(3), () -> {
                            downAt[0] = struck(dr("site-down", "A"));
                            dr("promote", "B");
                            primarySite = "B";
                            return downAt[0];
                        });
                List<String> differences = lost.differencesWithDatabase();
                List<String> missing = differences.stream().filter(d -> d.endsWith("database has []")).toList();
                long ackedBeforeDown = lost.acked().values().stream().filter(a -> a.atNanos() < downAt[0]).count();
                System.out.printf("GEO-DR site A lost: RTO %d ms (site A down -> first bet accepted at site B through the "
                        + "front door); RPO %d of %d bets acknowledged by site A never reached site B; %s%n",
                        f.firstAckMillis(), missing.size(), ackedBeforeDown, lost.summary());
                assertThat(f.firstAckMillis()).isPositive();
                assertThat(lost.errors()).as("non-retriable answers").isEmpty();
                // what is lost is only what site A acknowledged before it went: every bet acknowledged since is there once
                assertThat(differences).as("differences other than bets site A acknowledged and never shipped")
                        .allMatch(missing::contains);
                for (BetTraffic.Ack a : lost.acked().values()) {
                    if (differences.stream().anyMatch(d -> d.startsWith(a.requestId() + " "))) {
                        assertThat(a.atNanos()).as("a lost bet was acknowledged before site A went down").isLessThan(downAt[0]);
                    }
                }

                // 2. a frozen site-A node resumed is fenced: even with the old site's database address now leading to the
                //    promoted database (a moved DNS name), nothing it does commits
                long fencedMs;
                long fenceEpoch = Long.parseLong(Files.readString(dir.resolve("fence-epoch")).trim());
                Path haproxyA = site("A").resolve("pids/haproxy.pid");
                new ProcessBuilder("kill", "-9", Files.readString(haproxyA).trim()).start().waitFor();
                Process reroute = new ProcessBuilder(root.resolve("ha-config/delay-link").toString(),
                        String.valueOf(5000 + OFFSET_A), String.valueOf(5000 + OFFSET_B), "30")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("logs/reroute.log").toFile()).start();
                try {
                    Thread.sleep(1500);
                    new ProcessBuilder("kill", "-CONT", String.valueOf(activePid)).start().waitFor();
                    long resumedAtMs = System.currentTimeMillis();
                    System.out.println("resumed site A's " + activeA + " (pid " + activePid + "), its database address now "
                            + "leading to site B's primary (lease epoch " + fenceEpoch + ")");
                    BetTraffic.Bettor bettor = bettors.get(0);
                    List<Integer> answers = new ArrayList<>();
                    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    for (int i = 0; System.nanoTime() < until; i++) {
                        answers.add(zombieBet(activePortA, bettor.cookie(), "zombie" + run + "-" + i, market.home()));
                        Thread.sleep(100);
                    }
                    System.out.println("the resumed node answered " + answers);
                    assertThat(answers).as("nothing acknowledged by the resumed site-A node").noneMatch(s -> s / 100 == 2);
                    try (Connection c = db("B"); PreparedStatement s = c.prepareStatement(
                            "SELECT count(*) FROM bet WHERE request_id LIKE 'zombie%'")) {
                        ResultSet rs = s.executeQuery();
                        rs.next();
                        assertThat(rs.getLong(1)).as("bets of the resumed site-A node in site B's database").isZero();
                    }
                    try (Connection c = db("B"); PreparedStatement s = c.prepareStatement(
                            "SELECT epoch, holder FROM cluster_lease WHERE id = 1")) {
                        ResultSet rs = s.executeQuery();
                        rs.next();
                        assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(fenceEpoch);
                        assertThat(rs.getString(2)).startsWith("b-");
                    }
                    assertThat(status(activePortA, "/q/health/ready")).as("the resumed node is not ACTIVE").isNotEqualTo(200);
                    String logA = Files.readString(site("A").resolve("logs/" + activeA + ".log"));
                    // fenced by whichever sees the new epoch first: its lease renewal, or the write guard of a write it resumed
                    assertThat(logA).containsPattern(FENCED);
                    fencedMs = fencedAfter(logA, resumedAtMs);
                    System.out.printf("GEO-DR fencing: the resumed site-A node fenced %d ms after SIGCONT%n", fencedMs);
                } finally {
                    reroute.destroy();
                    new ProcessBuilder("kill", "-9", String.valueOf(activePid)).start().waitFor();
                }

                // 3. failback to A under a bet stream: no acknowledged bet lost, both sites equal
                BetTraffic back = new BetTraffic(route(), bettors, market.home(), "back" + run,
                        BetTraffic.Client.THROUGH_LB.giveUpAfter(Duration.ofMinutes(5)));
                long t0 = System.nanoTime();
                BetTraffic.Faulted g = BetTraffic.aroundFault(back, Duration.ofSeconds(3), Duration.ofMinutes(5),
                        Duration.ofSeconds(3), () -> {
                            long at = System.nanoTime();
                            dr("failback", "A");
                            primarySite = "A";
                            return at;
                        });
                System.out.printf("GEO-DR failback: %s; longest stretch without an accepted bet %d ms; failback took %d s%n",
                        back.summary(), g.gapMillis(), (System.nanoTime() - t0) / 1_000_000_000L);
                List<String> lostBack = back.differencesWithDatabase();
                assertThat(lostBack).as("RPO of the controlled switch back").isEmpty();
                assertThat(back.errors()).isEmpty();
                assertThat(back.abandoned()).isEmpty();
                dr("compare");
                System.out.printf("GEO-DR figures, drill " + run + ": RTO %d ms; RPO %d of %d; fenced %d ms after SIGCONT; failback lost %d of %d, "
                        + "longest stretch without an accepted bet %d ms%n", f.firstAckMillis(), missing.size(),
                        ackedBeforeDown, fencedMs, lostBack.size(), back.acked().size(), g.gapMillis());
            }
        } finally {
            dr("status");
            dr("down");
        }
    }

    /** The role log's line of a fenced ACTIVE: its renewal or its write guard found the lease at a newer epoch. */
    static final String FENCED = "ROLE ACTIVE -> PASSIVE at epoch \\d+: (renewal found the lease moved on|write guard saw epoch)";

    /** Milliseconds from the SIGCONT to the node's fenced line ({@link #FENCED}; its log: HH:mm:ss.SSS, UTC). */
    static long fencedAfter(String log, long resumedAtMs) {
        Matcher m = Pattern.compile("(?m)^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) .*" + FENCED).matcher(log);
        assertThat(m.find()).isTrue();
        long lineOfDay = ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3)))
                * 1000 + Long.parseLong(m.group(4));
        long resumedOfDay = resumedAtMs % 86_400_000L;
        return Math.floorMod(lineOfDay - resumedOfDay + 43_200_000L, 86_400_000L) - 43_200_000L;
    }

    int zombieBet(int port, String cookie, String requestId, long selection) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/bets"))
                    .timeout(Duration.ofSeconds(3)).header("Content-Type", "application/json").header("Cookie", cookie)
                    .POST(HttpRequest.BodyPublishers.ofString(BetTraffic.bet(requestId, selection))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
