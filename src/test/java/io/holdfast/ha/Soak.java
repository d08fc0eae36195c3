package io.holdfast.ha;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.holdfast.pair.BetTraffic;

/**
 * {@code ha-config/holdfast-pair soak MINUTES}: the whole pair under bettors through HAProxy (retries by requestId)
 * and a random fault every 20-60 s (kill -9 or SIGSTOP of the ACTIVE, a switchover, the database primary's host
 * lost, a database switchover, a frozen sync standby, a JGroups partition), the pair made whole again before each.
 * At the end: every acknowledged bet in the database exactly once, every bettor's balance = deposit - stakes (no
 * market settles during the soak) and its ledger adding up; a report (faults, outage per fault as the longest stretch
 * without an acknowledged bet, the availability it implies) and a timeline picture (SVG) in the output directory.
 * Arguments: minutes (default 30), clients (default 8), output directory (default docs/soak).
 */
final class Soak {

    private static final long DEPOSIT = 10_000_000;
    private static final long STAKE = 10;
    private static final List<String> FAULTS = List.of("kill-active-app", "pause-active-app", "switchover",
            "kill-db-primary", "switchover-db", "freeze-db-standby", "partition");

    /** A fault and when it struck (System.nanoTime), and its outage once known. */
    private record Fault(String kind, long at, String detail) {
    }

    /** The pair as seen every half second: the ACTIVE node, the epoch, the database primary. */
    private record Sample(long at, String active, long epoch, String primary) {
    }

    private final HaPair pair;
    private final Random random = new Random();
    private final List<Fault> faults = new ArrayList<>();
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private volatile boolean sampling = true;

    private Soak(HaPair pair) {
        this.pair = pair;
    }

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path out = Path.of(args.length > 2 ? args[2] : "docs/soak");
        HaPair pair = new HaPair("target/soak", Integer.parseInt(System.getProperty("offset", "21000")));
        try {
            pair.up();
            new Soak(pair).run(minutes, clients, out);
        } finally {
            try {
                pair.close();
            } catch (Exception e) {
                System.err.println("down failed: " + e);
            }
        }
    }

    private void run(int minutes, int clients, Path out) throws Exception {
        List<BetTraffic.Bettor> bettors = BetTraffic.bettors(pair.lb(), "soak", clients);
        long selection = BetTraffic.market(pair.lb(), pair.password("admin"), "Soak").home();
        BetTraffic traffic = new BetTraffic(pair, bettors, selection, "soak",
                BetTraffic.Client.THROUGH_LB.giveUpAfter(Duration.ofSeconds(60)));
        Thread sampler = new Thread(this::sample, "soak-sampler");
        sampler.setDaemon(true);
        long start = System.nanoTime();
        Instant startedAt = Instant.now();
        long end = start + Duration.ofMinutes(minutes).toNanos();
        sampler.start();
        traffic.start();
        try {
            Thread.sleep(10_000);
            while (System.nanoTime() < end - Duration.ofSeconds(25).toNanos()) {
                awaitWhole();
                Thread.sleep(Math.min(20_000 + random.nextInt(40_000), Math.max(0, (end - System.nanoTime()) / 1_000_000 - 20_000)));
                if (System.nanoTime() > end - Duration.ofSeconds(20).toNanos()) {
                    break;
                }
                strike(FAULTS.get(random.nextInt(FAULTS.size())));
            }
            long rest = (end - System.nanoTime()) / 1_000_000;
            if (rest > 0) {
                Thread.sleep(rest);
            }
        } finally {
            traffic.stop();
            sampling = false;
        }
        awaitWhole();
        List<String> checks = check(traffic);
        Files.createDirectories(out);
        String report = report(traffic, start, startedAt, minutes, clients, checks);
        Files.writeString(out.resolve("report.md"), report);
        Files.writeString(out.resolve("timeline.svg"), svg(traffic, start, System.nanoTime()));
        System.out.println(report);
        System.out.println("written: " + out.resolve("report.md") + ", " + out.resolve("timeline.svg"));
    }

    private void strike(String kind) throws Exception {
        String detail;
        long at;
        switch (kind) {
            case "pause-active-app" -> {
                at = pair.fault("pause-active-app", "5");
                detail = "SIGSTOP of the ACTIVE for 5 s";
            }
            case "kill-db-primary" -> {
                String old = pair.member("leader");
                at = pair.fault("kill-db-primary");
                detail = "kill -9 of the database primary's host (" + old + ")";
                HaPair.await("a new database leader", Duration.ofSeconds(60), () -> {
                    String l = pair.member("leader");
                    return l != null && !l.equals(old);
                });
                pair.pair("start", old);
            }
            case "switchover-db" -> {
                at = System.nanoTime();
                pair.pair("switchover", "db");
                detail = "database switchover (Patroni)";
            }
            case "freeze-db-standby" -> {
                at = pair.fault("freeze-db-standby", "8");
                detail = "SIGSTOP of the sync standby for 8 s";
            }
            case "partition" -> {
                at = System.nanoTime();
                partition(true);
                Thread.sleep(10_000);
                partition(false);
                detail = "JGroups partition between the app nodes for 10 s";
            }
            case "switchover" -> {
                at = pair.fault("switchover");
                detail = "switchover of the app pair (ops API)";
            }
            default -> {
                at = pair.fault("kill-active-app");
                detail = "kill -9 of the ACTIVE";
            }
        }
        faults.add(new Fault(kind, at, detail));
        System.out.printf(Locale.ROOT, "%s fault: %s%n", Instant.now(), detail);
    }

    /** Drops the JGroups traffic between the two app nodes on loopback (both still reach PostgreSQL). */
    private void partition(boolean on) throws Exception {
        if (on) {
            run("iptables", "-N", "HOLDFAST_SOAK");
            run("iptables", "-I", "INPUT", "-j", "HOLDFAST_SOAK");
            for (int base : new int[] { 7800 + pair.offset, 7801 + pair.offset }) {
                for (int port : new int[] { base, base + 100 }) {
                    run("iptables", "-A", "HOLDFAST_SOAK", "-i", "lo", "-p", "tcp", "--dport", "" + port, "-j", "DROP");
                    run("iptables", "-A", "HOLDFAST_SOAK", "-i", "lo", "-p", "tcp", "--sport", "" + port, "-j", "DROP");
                }
            }
        } else {
            run("iptables", "-D", "INPUT", "-j", "HOLDFAST_SOAK");
            run("iptables", "-F", "HOLDFAST_SOAK");
            run("iptables", "-X", "HOLDFAST_SOAK");
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        }
    }

    private void sample() {
        while (sampling) {
            String active = pair.activeNode();
            long epoch = -1;
            try (Connection c = pair.db(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT epoch FROM cluster_lease WHERE id = 1")) {
                rs.next();
                epoch = rs.getLong(1);
            } catch (Exception e) {
                // the database is away: no epoch in this sample
            }
            samples.add(new Sample(System.nanoTime(), active, epoch, pair.member("leader")));
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Both app nodes up (one ACTIVE, one PASSIVE), a database leader and a sync standby. */
    private void awaitWhole() throws InterruptedException {
        HaPair.await("the pair whole again", Duration.ofSeconds(180), () -> {
            String active = pair.activeNode();
            if (active == null || pair.member("leader") == null || pair.member("sync_standby") == null) {
                return false;
            }
            String passive = active.equals("node-a") ? "node-b" : "node-a";
            return pair.status(passive, "/q/health/live") == 200 && pair.status(passive, "/q/health/ready") == 503;
        });
    }

    /** The end-of-run checks: an empty list when all are green. */
    private List<String> check(BetTraffic traffic) throws Exception {
        List<String> failed = new ArrayList<>(traffic.differencesWithDatabase());
        failed.addAll(traffic.errors());
        traffic.abandoned().forEach(a -> failed.add("abandoned: " + a));
        try (Connection c = pair.db(); PreparedStatement ps = c.prepareStatement("SELECT a.id, a.balance, "
                + "(SELECT coalesce(sum(stake), 0) FROM bet b WHERE b.account_id = a.id AND b.status <> 'REJECTED'), "
                + "(SELECT coalesce(sum(amount), 0) FROM ledger_entry l WHERE l.account_id = a.id) "
                + "FROM account a WHERE a.id = ANY (?)")) {
            Array ids = c.createArrayOf("bigint", traffic.bettors().stream().map(BetTraffic.Bettor::accountId).toArray());
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long balance = rs.getLong(2);
                    if (balance != DEPOSIT - rs.getLong(3) || balance != rs.getLong(4)) {
                        failed.add("account " + rs.getLong(1) + ": balance " + balance + ", deposit - stakes "
                                + (DEPOSIT - rs.getLong(3)) + ", ledger " + rs.getLong(4));
                    }
                }
            }
        }
        return failed;
    }

    /** Longest stretch without an acknowledged bet from 1 s before {@code from} to {@code to}, in ms. */
    private static long outage(long[] acks, long from, long to) {
        long longest = 0;
        long previous = from - 1_000_000_000L;
        for (long a : acks) {
            if (a < previous) {
                continue;
            }
            if (a > to) {
                break;
            }
            longest = Math.max(longest, a - previous);
            previous = a;
        }
        return longest / 1_000_000;
    }

    /** The machine's 1, 5 and 15 minute load averages, or "unknown" off Linux. */
    private static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private String report(BetTraffic traffic, long start, Instant startedAt, int minutes, int clients,
            List<String> checks) {
        long[] acks = traffic.acked().values().stream().mapToLong(BetTraffic.Ack::atNanos).sorted().toArray();
        StringBuilder r = new StringBuilder();
        r.append("# Soak: ").append(minutes).append(" min, ").append(clients).append(" bettors through HAProxy, started ")
                .append(startedAt).append("\n\n");
        r.append("Measured on one machine with ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, load average at the end ").append(loadAverage()).append(" (under `flock "
                + "/tmp/holdfast-it.lock`: other pair tests and benchmarks wait; builds and unit tests do not). Outage: "
                + "the longest stretch without any acknowledged bet from 1 s before the fault to the next one.\n\n");
        r.append("| # | at (s) | fault | outage (ms) |\n|---|---|---|---|\n");
        long totalOutage = 0;
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            long next = i + 1 < faults.size() ? faults.get(i + 1).at() : Long.MAX_VALUE;
            long o = outage(acks, f.at(), next);
            totalOutage += o;
            r.append(String.format(Locale.ROOT, "| %d | %.1f | %s | %d |%n", i + 1, (f.at() - start) / 1e9, f.detail(), o));
        }
        double seconds = minutes * 60.0;
        r.append(String.format(Locale.ROOT, "%nFaults: %d. Outage in all: %.1f s of %.0f s: availability %.3f %%.%n",
                faults.size(), totalOutage / 1000.0, seconds, 100.0 * (1 - totalOutage / 1000.0 / seconds)));
        r.append(String.format(Locale.ROOT, "Bets acknowledged: %d; retriable answers: %d %s; non-retriable: %d; "
                + "abandoned: %d.%n", acks.length, traffic.retriable(), traffic.retriableAnswers(), traffic.errors().size(),
                traffic.abandoned().size()));
        r.append("\nChecks: every acknowledged bet in the database exactly once, no other bet; every bettor's balance = "
                + "deposit - stakes and = its ledger: ").append(checks.isEmpty() ? "**all green**" : "**FAILED**")
                .append("\n");
        checks.stream().limit(20).forEach(c -> r.append("- ").append(c).append("\n"));
        r.append("\n![timeline](timeline.svg)\n");
        return r.toString();
    }

    /** Acknowledged bets, retries and errors per second; the ACTIVE node and epoch; the database primary; faults. */
    private String svg(BetTraffic traffic, long start, long end) {
        int seconds = (int) Math.max(1, (end - start) / 1_000_000_000L);
        int[] ackPs = perSecond(traffic.acked().values().stream().mapToLong(BetTraffic.Ack::atNanos).toArray(), start, seconds);
        int[] retryPs = perSecond(traffic.retryTimes().stream().mapToLong(Long::longValue).toArray(), start, seconds);
        int[] errorPs = perSecond(traffic.errorTimes().stream().mapToLong(Long::longValue).toArray(), start, seconds);
        int max = 1;
        for (int i = 0; i < seconds; i++) {
            max = Math.max(max, Math.max(ackPs[i], retryPs[i]));
        }
        double w = 1100.0 / seconds;
        int top = 30;
        int h = 220;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"420\" font-family=\"sans-serif\" "
                + "font-size=\"11\">\n<rect width=\"1200\" height=\"420\" fill=\"white\"/>\n");
        s.append("<text x=\"60\" y=\"18\" font-size=\"13\">Holdfast soak: acknowledged bets/s (green), retriable answers/s "
                + "(orange), errors/s (red); ACTIVE node and epoch; database primary; faults (grey lines)</text>\n");
        for (int i = 0; i < seconds; i++) {
            double x = 60 + i * w;
            bar(s, x, w, top + h, ackPs[i] * (double) h / max, "#2a9d46");
            if (retryPs[i] > 0) {
                bar(s, x, w, top + h, retryPs[i] * (double) h / max, "#f0a030");
            }
            if (errorPs[i] > 0) {
                bar(s, x, w, top + h, Math.max(3, errorPs[i] * (double) h / max), "#d62828");
            }
        }
        s.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">%d/s</text><text x=\"5\" y=\"%d\">0</text>%n", top + 8,
                max, top + h));
        band(s, start, w, top + h + 20, "ACTIVE", sample -> sample.active() == null ? null
                : sample.active() + (sample.epoch() >= 0 ? " e" + sample.epoch() : ""));
        band(s, start, w, top + h + 50, "DB primary", Sample::primary);
        for (Fault f : faults) {
            double x = 60 + (f.at() - start) / 1e9 * w;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" "
                    + "stroke-dasharray=\"3,2\"/>%n<text x=\"%.1f\" y=\"%d\" transform=\"rotate(30 %.1f %d)\">%s</text>%n",
                    x, top, x, top + h + 80, x, top + h + 92, x, top + h + 92, f.kind()));
        }
        for (int t = 0; t <= seconds; t += Math.max(60, seconds / 10 / 60 * 60)) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%d s</text>%n", 60 + t * w, top + h + 14, t));
        }
        return s.append("</svg>\n").toString();
    }

    private static void bar(StringBuilder s, double x, double w, int bottom, double height, String color) {
        s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/>%n", x,
                bottom - height, Math.max(w, 0.5), height, color));
    }

    /** A row of coloured segments, one per run of equal values, labelled where the value changes. */
    private void band(StringBuilder s, long start, double w, int y, String label, java.util.function.Function<Sample, String> value) {
        s.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">%s</text>%n", y + 12, label));
        String current = null;
        double from = 60;
        List<Sample> all = new ArrayList<>(samples);
        for (int i = 0; i <= all.size(); i++) {
            String v = i < all.size() ? value.apply(all.get(i)) : "#end";
            double x = i < all.size() ? 60 + (all.get(i).at() - start) / 1e9 * w : 1160;
            if (!java.util.Objects.equals(v, current) || i == all.size()) {
                if (i > 0) {
                    String color = current == null ? "#d62828" : current.startsWith("node-a") || current.equals("pg-1")
                            ? "#4a78c2" : "#8e5bb5";
                    s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\" "
                            + "opacity=\"0.6\"/>%n", from, y, Math.max(0.5, x - from), color));
                    if (x - from > 40) {
                        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>%n", from + 2, y + 12,
                                current == null ? "none" : current));
                    }
                }
                current = v;
                from = x;
            }
        }
    }

    private static int[] perSecond(long[] times, long start, int seconds) {
        int[] counts = new int[seconds];
        for (long t : times) {
            int i = (int) ((t - start) / 1_000_000_000L);
            if (i >= 0 && i < seconds) {
                counts[i]++;
            }
        }
        return counts;
    }
}
