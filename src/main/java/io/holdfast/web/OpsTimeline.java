package io.holdfast.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.holdfast.cluster.ClusterStatus;
import io.holdfast.cluster.ClusterView;
import io.holdfast.platform.Jdbc;
import io.quarkus.scheduler.Scheduled;

/**
 * The last minutes of the cluster, second by second, for the ops console: bets accepted, the ACTIVE node and its
 * epoch, the database primary, and the seconds in which this node could not read the database. Every node samples
 * (the PASSIVE too), and only what the database says: so the node that took over after a failure shows the minutes
 * before it as well as after, the fault included. Kept in memory, {@link #KEEP} seconds; a node that was down or
 * frozen has a hole for that time, which is what it saw.
 */
@ApplicationScoped
public class OpsTimeline {

    private static final Logger LOG = Logger.getLogger(OpsTimeline.class);
    static final int KEEP = 600;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** One second: {@code bets} accepted in it (bets whose id came after the last sample's), -1 when unreadable. */
    record Sample(long second, long bets, String active, long epoch, String dbPrimary, boolean reachable) {
    }

    /** What the console draws: bars of bets per second, bands of the ACTIVE node, marks where something changed. */
    public record Chart(int width, int height, long peak, List<Bar> bars, List<Band> bands, List<Mark> marks,
            String from, String to, String summary) {
    }

    public record Bar(int x, int y, int h) {
    }

    public record Band(int x, int w, String node, int colour) {
    }

    /** {@code labelY}: labels of marks close together are stacked, not drawn over each other. */
    public record Mark(int x, String label, boolean fault, int labelY) {
        Mark(int x, String label, boolean fault) {
            this(x, label, fault, 10);
        }
    }

    private final Jdbc jdbc;
    private final ClusterStatus status;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private long lastBetId = -1;

    OpsTimeline(Jdbc jdbc, ClusterStatus status) {
        this.jdbc = jdbc;
        this.status = status;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sample() {
        record(read(Instant.now().getEpochSecond()));
    }

    Sample read(long second) {
        Sample last = latest();
        try {
            long since = lastBetId;
            long[] counted = jdbc.queryOne("SELECT count(*) FILTER (WHERE status <> 'REJECTED') AS bets, "
                    + "coalesce(max(id), (SELECT coalesce(max(id), 0) FROM bet)) AS last FROM bet WHERE id > ?",
                    rs -> new long[] {rs.getLong("bets"), rs.getLong("last")}, since).orElseThrow();
            lastBetId = Math.max(lastBetId, counted[1]);
            ClusterView view = status.snapshot();
            String primary = view.database() == null ? null : view.database().primary();
            // the first sample only finds where the ids stand
            return new Sample(second, since < 0 ? 0 : counted[0], view.active(), view.epoch(), primary, true);
        } catch (RuntimeException e) {
            LOG.debugf("Timeline sample failed: %s", e.getMessage());
            return new Sample(second, -1, last == null ? null : last.active(), last == null ? 0 : last.epoch(),
                    last == null ? null : last.dbPrimary(), false);
        }
    }

    synchronized void record(Sample sample) {
        samples.addLast(sample);
        while (samples.size() > KEEP) {
            samples.removeFirst();
        }
    }

    private synchronized Sample latest() {
        return samples.peekLast();
    }

    synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    /** The last {@code seconds} seconds as a chart {@code width} × {@code height} pixels. */
    public Chart chart(int seconds, int width, int height) {
        return chart(samples(), Instant.now().getEpochSecond(), seconds, width, height);
    }

    static Chart chart(List<Sample> samples, long now, int seconds, int width, int height) {
        long start = now - seconds + 1;
        double step = (double) width / seconds;
        int plot = height - 14; // room for the band strip at the bottom
        long peak = 1;
        for (Sample s : samples) {
            if (s.second() >= start) {
                peak = Math.max(peak, s.bets());
            }
        }
        TreeSet<String> nodes = new TreeSet<>();
        samples.forEach(s -> { if (s.active() != null) nodes.add(s.active()); });
        List<String> order = new ArrayList<>(nodes);
        List<Bar> bars = new ArrayList<>();
        List<Band> bands = new ArrayList<>();
        List<Mark> marks = new ArrayList<>();
        Sample previous = null;
        long accepted = 0;
        int unreachable = 0;
        Band open = null;
        for (Sample s : samples) {
            if (s.second() < start || s.second() > now) {
                previous = s;
                continue;
            }
            int x = (int) Math.round((s.second() - start) * step);
            int w = Math.max(1, (int) Math.round(step));
            if (s.bets() > 0) {
                int h = (int) Math.max(1, Math.round((double) s.bets() / peak * (plot - 12)));
                bars.add(new Bar(x, plot - h, h));
                accepted += s.bets();
            }
            if (!s.reachable()) {
                unreachable++;
                if (previous == null || previous.reachable()) {
                    marks.add(new Mark(x, "database unreachable", true));
                }
            } else if (previous != null && previous.reachable()) {
                if (s.epoch() != previous.epoch()) {
                    marks.add(new Mark(x, "epoch " + s.epoch() + ": " + s.active(), true));
                }
                if (!Objects.equals(s.dbPrimary(), previous.dbPrimary()) && previous.dbPrimary() != null) {
                    marks.add(new Mark(x, "db primary " + s.dbPrimary(), true));
                }
            }
            if (open != null && Objects.equals(open.node(), s.active()) && open.x() + open.w() >= x - w) {
                open = new Band(open.x(), x + w - open.x(), open.node(), open.colour());
                bands.set(bands.size() - 1, open);
            } else if (s.active() != null) {
                open = new Band(x, w, s.active(), order.indexOf(s.active()) % 4);
                bands.add(open);
            }
            previous = s;
        }
        for (int i = 0; i < marks.size(); i++) {
            Mark m = marks.get(i);
            marks.set(i, new Mark(m.x(), m.label(), m.fault(), 10 + (i % 4) * 11));
        }
        String summary = accepted + " bets accepted in the last " + seconds / 60 + " min"
                + (unreachable > 0 ? ", " + unreachable + " s without the database from this node" : "");
        return new Chart(width, height, peak, bars, bands, marks, CLOCK.format(Instant.ofEpochSecond(start)),
                CLOCK.format(Instant.ofEpochSecond(now)), summary);
    }
}
