package io.holdfast.feed.sim;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One simulated soccer match and every message the feed sends about it, at their timestamps: pre-match prices that
 * drift, the hand-over to the live producer at kick-off, goals (a bet_stop, then prices for the new score), the final
 * whistle, settlement with certainty 1 then 2, and now and then a rollback or a cancel (itself undone now and then).
 * Prices come from a Poisson model of the goals still to come, with a 6 % margin. Deterministic in (seed, index).
 */
final class Match {

    private static final String[] TEAMS = { "Ashford Rovers", "Brackley Town", "Corran United", "Dunmore Athletic",
            "Eastvale City", "Fenwick Albion", "Glenholm Wanderers", "Harrow Vale", "Irvine Harbour", "Jessop Park",
            "Kelso Forge", "Lanark Rangers", "Marlow Heath", "Northgate FC", "Ormside Villa", "Pelham Borough" };
    private static final double MARGIN = 1.06;

    private final FeedSimulator sim;
    private final int k;
    private final Random r;
    private final long created;
    private final long kickoff;
    private final long end;
    private final String event;
    private final String home;
    private final String away;
    private double lh;
    private double la;
    private final List<FeedSimulator.Msg> out = new ArrayList<>();
    private final Map<String, Long> lastTs = new HashMap<>();

    Match(FeedSimulator sim, int k, long seed, long created, long prematchMillis, long liveMillis) {
        this.sim = sim;
        this.k = k;
        this.r = new Random(seed * 1_000_003L + k);
        this.created = created;
        this.kickoff = created + prematchMillis;
        this.end = kickoff + liveMillis;
        this.event = eventId(seed, k);
        int h = r.nextInt(TEAMS.length);
        int a = (h + 1 + r.nextInt(TEAMS.length - 1)) % TEAMS.length;
        this.home = TEAMS[h];
        this.away = TEAMS[a];
        this.lh = 0.8 + r.nextDouble() * 1.2;
        this.la = 0.6 + r.nextDouble() * 1.1;
    }

    static String eventId(long seed, int k) {
        return "sr:match:" + (seed % 100_000) + String.format("%05d", k);
    }

    List<FeedSimulator.Msg> play() {
        // pre-match: prices at creation, drifting every ~5 s, a fixture_change half-way
        add(created, FeedSimulator.PREMATCH, oddsChange(FeedSimulator.PREMATCH, 0, true, 0, 0, 0, 1));
        long half = created + (kickoff - created) / 2;
        boolean fixtureSent = false;
        for (long t = created + 4000 + r.nextInt(2000); t < kickoff - 1000; t += 4000 + r.nextInt(2000)) {
            if (!fixtureSent && t > half) {
                add(t, FeedSimulator.PREMATCH, "\"type\":\"fixture_change\",\"event_id\":\"" + event + "\",\"fixture\":"
                        + fixture());
                fixtureSent = true;
                continue;
            }
            lh *= 1 + (r.nextDouble() - 0.5) * 0.06;
            la *= 1 + (r.nextDouble() - 0.5) * 0.06;
            add(t, FeedSimulator.PREMATCH, oddsChange(FeedSimulator.PREMATCH, null, false, 0, 0, 0, 1));
        }
        // kick-off: pre-match hands its markets over, live takes them with the event's status
        add(kickoff, FeedSimulator.PREMATCH, "\"type\":\"odds_change\",\"event_id\":\"" + event + "\",\"markets\":["
                + "{\"id\":\"1\",\"status\":-2,\"outcomes\":[]},{\"id\":\"18\",\"status\":-2,\"outcomes\":[]}]");
        add(kickoff + 1, FeedSimulator.LIVE, oddsChange(FeedSimulator.LIVE, 1, true, 0, 0, 0, 1));
        // goals: how many and when, from the pre-match expectations
        List<long[]> goals = new ArrayList<>();
        int nh = poissonSample(lh);
        int na = poissonSample(la);
        for (int i = 0; i < nh + na; i++) {
            long at = kickoff + 3000 + (long) (r.nextDouble() * (end - kickoff - 8000));
            goals.add(new long[] { at, i < nh ? 0 : 1 });
        }
        goals.sort(Comparator.comparingLong(g -> g[0]));
        int h = 0;
        int a = 0;
        int next = 0;
        long quietUntil = 0;
        for (long t = kickoff + 3000; t < end - 1000; t += 500) {
            if (next < goals.size() && goals.get(next)[0] <= t) {
                if (goals.get(next)[1] == 0) {
                    h++;
                } else {
                    a++;
                }
                next++;
                add(t, FeedSimulator.LIVE, "\"type\":\"bet_stop\",\"event_id\":\"" + event + "\",\"groups\":\"all\"");
                double f = (double) (t + 2000 - kickoff) / (end - kickoff);
                add(t + 2000, FeedSimulator.LIVE, oddsChange(FeedSimulator.LIVE, 1, false, h, a, f, 1));
                quietUntil = t + 4000;
                t += 2000;
                continue;
            }
            if (t >= quietUntil && (t - kickoff) % 4000 < 500) {
                double f = (double) (t - kickoff) / (end - kickoff);
                add(t, FeedSimulator.LIVE, oddsChange(FeedSimulator.LIVE, null, false, h, a, f, 1));
            }
        }
        // the final whistle, then the results: certainty 1 (live-scouted), 2 (confirmed)
        add(end, FeedSimulator.LIVE, "\"type\":\"bet_stop\",\"event_id\":\"" + event + "\",\"groups\":\"all\"");
        add(end + 1, FeedSimulator.LIVE, "\"type\":\"odds_change\",\"event_id\":\"" + event
                + "\",\"sport_event_status\":3,\"markets\":[]");
        String winner = h > a ? "1" : h == a ? "2" : "3";
        String total = h + a > 2 ? "12" : "13";
        boolean cancelTotal = r.nextDouble() < 0.1;
        boolean rollback = r.nextDouble() < 0.15;
        boolean cancelUndone = cancelTotal && r.nextDouble() < 0.5;
        add(end + 1000, FeedSimulator.LIVE, settlement(1, winner, cancelTotal ? null : total));
        if (cancelTotal) {
            add(end + 1500, FeedSimulator.LIVE, "\"type\":\"bet_cancel\",\"event_id\":\"" + event
                    + "\",\"markets\":[{\"id\":\"18\"}]");
        }
        if (cancelUndone) {
            // the cancel was a mistake: undone, and the totals market settled after all (certainty 2 below)
            add(end + 2500, FeedSimulator.LIVE, "\"type\":\"rollback_bet_cancel\",\"event_id\":\"" + event
                    + "\",\"markets\":[{\"id\":\"18\"}]");
            cancelTotal = false;
        }
        if (rollback) {
            add(end + 4000, FeedSimulator.LIVE, "\"type\":\"rollback_bet_settlement\",\"event_id\":\"" + event
                    + "\",\"markets\":[{\"id\":\"1\"}]");
            add(end + 6000, FeedSimulator.LIVE, settlement(1, winner, null));
        }
        add(end + 10_000, FeedSimulator.LIVE, settlement(2, winner, cancelTotal ? null : total));
        return out;
    }

    private void add(long ts, String producer, String body) {
        long t = Math.max(ts, lastTs.getOrDefault(producer, Long.MIN_VALUE) + 1);
        lastTs.put(producer, t);
        out.add(new FeedSimulator.Msg(t, producer, "{" + body.replaceFirst("^\"type\":\"([a-z_]+)\"",
                "\"type\":\"$1\",\"producer\":\"" + producer + "\",\"timestamp\":" + t) + "}"));
    }

    private String fixture() {
        return "{\"name\":\"" + home + " vs " + away + "\",\"start_time\":" + kickoff
                + ",\"sport\":\"Soccer\",\"competition\":\"Holdfast League\"}";
    }

    /** An odds_change with both markets at the prices for this score and fraction of the match played. */
    private String oddsChange(String producer, Integer eventStatus, boolean withFixture, int h, int a, double f,
            int status) {
        double rh = lh * Math.max(0, 1 - f);
        double ra = la * Math.max(0, 1 - f);
        double pHome = 0;
        double pDraw = 0;
        double pOver = 0;
        for (int x = 0; x <= 10; x++) {
            for (int y = 0; y <= 10; y++) {
                double p = poisson(x, rh) * poisson(y, ra);
                int fh = h + x;
                int fa = a + y;
                if (fh > fa) {
                    pHome += p;
                } else if (fh == fa) {
                    pDraw += p;
                }
                if (fh + fa > 2) {
                    pOver += p;
                }
            }
        }
        double pAway = Math.max(0, 1 - pHome - pDraw);
        boolean totalDecided = h + a > 2;
        StringBuilder s = new StringBuilder("\"type\":\"odds_change\",\"event_id\":\"").append(event).append('"');
        if (withFixture) {
            s.append(",\"fixture\":").append(fixture());
        }
        if (eventStatus != null) {
            s.append(",\"sport_event_status\":").append(eventStatus);
        }
        s.append(",\"markets\":[{\"id\":\"1\",\"name\":\"1X2\",\"status\":").append(status).append(",\"outcomes\":[")
                .append(outcome("1", home, pHome)).append(',').append(outcome("2", "Draw", pDraw)).append(',')
                .append(outcome("3", away, pAway)).append("]},{\"id\":\"18\",\"name\":\"Total 2.5\",\"status\":")
                .append(totalDecided ? -1 : status).append(",\"outcomes\":[").append(outcome("12", "Over 2.5", pOver))
                .append(',').append(outcome("13", "Under 2.5", 1 - pOver)).append("]}]");
        return s.toString();
    }

    private String settlement(int certainty, String winner, String total) {
        StringBuilder s = new StringBuilder("\"type\":\"bet_settlement\",\"event_id\":\"").append(event)
                .append("\",\"certainty\":").append(certainty).append(",\"markets\":[{\"id\":\"1\",\"outcomes\":[");
        for (String o : List.of("1", "2", "3")) {
            s.append(o.equals("1") ? "" : ",").append("{\"id\":\"").append(o).append("\",\"result\":")
                    .append(o.equals(winner) ? 1 : 0).append('}');
        }
        s.append("]}");
        if (total != null) {
            s.append(",{\"id\":\"18\",\"outcomes\":[{\"id\":\"12\",\"result\":").append(total.equals("12") ? 1 : 0)
                    .append("},{\"id\":\"13\",\"result\":").append(total.equals("13") ? 1 : 0).append("}]}");
        }
        return s.append(']').toString();
    }

    private static String outcome(String id, String name, double p) {
        double odds = p <= 0 ? 100 : 1 / (p * MARGIN);
        BigDecimal price = BigDecimal.valueOf(Math.max(1.01, Math.min(100, odds))).setScale(2, RoundingMode.DOWN);
        return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"odds\":" + price.toPlainString() + ",\"active\":1}";
    }

    private static double poisson(int n, double lambda) {
        double p = Math.exp(-lambda);
        for (int i = 1; i <= n; i++) {
            p *= lambda / i;
        }
        return p;
    }

    private int poissonSample(double lambda) {
        double l = Math.exp(-lambda);
        double p = 1;
        int n = 0;
        do {
            n++;
            p *= r.nextDouble();
        } while (p > l);
        return n - 1;
    }

    @Override
    public String toString() {
        return event + " " + home + " vs " + away + " kick-off " + Instant.ofEpochMilli(kickoff) + " (" + k + ", "
                + sim.cycle() + " ms cycle)";
    }
}
