package io.holdfast.feed;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.feed.FeedMessage.BetCancel;
import io.holdfast.feed.FeedMessage.BetSettlement;
import io.holdfast.feed.FeedMessage.BetStop;
import io.holdfast.feed.FeedMessage.FixtureChange;
import io.holdfast.feed.FeedMessage.OddsChange;
import io.holdfast.feed.FeedMessage.RollbackBetSettlement;
import io.holdfast.odds.EventStatus;
import io.holdfast.odds.FeedMarkets;
import io.holdfast.odds.FeedMarkets.Applied;
import io.holdfast.odds.FeedMarkets.FeedStatus;
import io.holdfast.platform.Jdbc;
import io.holdfast.settlement.Results;

/**
 * The feed's transactions, each fenced (the write guard first, so only the ACTIVE of this epoch commits) and each one
 * message or one producer transition; and the read of the producers' rows (any node). Producer rows are taken before market rows, in name order, so a transition and
 * a message never wait for each other in a cycle.
 */
@ApplicationScoped
class FeedTransactions {

    enum Status {
        UP, DOWN, RECOVERING
    }

    record ProducerRow(String name, Status status, Long lastAliveTs, Long requestId, Long recoveryAfter,
            Instant recoveryStartedAt, Instant statusSince, String downReason, Long lastRecoveryAfter,
            Long lastRecoveryMillis, long downs, Instant lastDownAt) {
    }

    /** A producer's state after a transition, and the markets whose status that moved (to refresh in the book). */
    record Transition(ProducerRow producer, boolean changed, Set<Long> markets) {
    }

    private static final String PRODUCER_COLUMNS = "SELECT name, status, last_alive_ts, recovery_request_id, "
            + "recovery_after, recovery_started_at, status_since, down_reason, last_recovery_after, last_recovery_ms, "
            + "downs, last_down_at FROM feed_producer ";

    private final Jdbc jdbc;
    private final FeedMarkets markets;
    private final Results results;
    private final FeedConfig config;

    FeedTransactions(Jdbc jdbc, FeedMarkets markets, Results results, FeedConfig config) {
        this.jdbc = jdbc;
        this.markets = markets;
        this.results = results;
        this.config = config;
    }

    /** Applies one stateful message; what it changed (empty when it was a duplicate or older than what we have). */
    @Transactional
    @Fenced
    Applied apply(FeedMessage message) {
        // a message that waits for a lock longer than max-inactivity fails (and its producer goes down and recovers)
        // instead of holding its producer's row, which the watcher's down needs, for as long as the wait lasts
        jdbc.queryOne("SELECT set_config('lock_timeout', ?, true)", rs -> rs.getString(1),
                config.maxInactivity().toMillis() + "ms");
        String producer = message.producer();
        String handover = config.handoverTo();
        Status mine = Status.DOWN;
        Status handoverStatus = Status.DOWN;
        for (String name : new TreeSet<>(List.of(producer, handover))) {
            Status s = producer(name, "FOR SHARE").status();
            if (name.equals(producer)) {
                mine = s;
            }
            if (name.equals(handover)) {
                handoverStatus = s;
            }
        }
        boolean up = mine == Status.UP;
        long ts = message.timestamp();
        if (message instanceof OddsChange m) {
            return oddsChange(m, up, handoverStatus == Status.UP);
        }
        if (message instanceof BetStop m) {
            FeedStatus status = feedStatus(m.marketStatus() == null ? FeedMessage.SUSPENDED : m.marketStatus());
            return markets.eventId(m.eventId()).map(event -> markets.stop(event, producer, ts, m.markets(), status))
                    .orElse(Applied.none());
        }
        if (message instanceof FixtureChange m) {
            FeedMarkets.Fixture fixture = fixture(m.fixture());
            long event = markets.event(m.eventId(), producer, fixture);
            boolean newer = fixture != null && markets.fixture(event, ts, fixture);
            return new Applied(new LinkedHashSet<>(), newer ? 1 : 0, newer ? 0 : 1);
        }
        if (message instanceof BetSettlement m) {
            return settle(m);
        }
        if (message instanceof BetCancel m) {
            return cancel(m);
        }
        if (message instanceof RollbackBetSettlement m) {
            return rollback(m);
        }
        if (message instanceof FeedMessage.RollbackBetCancel m) {
            return eachMarket(m.eventId(), m.markets(), m.timestamp(), market -> reopened(market,
                    results.rollbackCancel("feed:" + m.producer(), market, instant(m.startTime()), instant(m.endTime()))));
        }
        throw new IllegalArgumentException("Not a stateful message: " + message.getClass().getSimpleName());
    }

    private Applied oddsChange(OddsChange m, boolean up, boolean handoverUp) {
        long event = markets.event(m.eventId(), m.producer(), fixture(m.fixture()));
        Set<Long> changed = new LinkedHashSet<>();
        int applied = 0;
        int stale = 0;
        if (m.sportEventStatus() != null) {
            int code = m.sportEventStatus();
            EventStatus to = code == FeedMessage.LIVE ? EventStatus.LIVE
                    : code == FeedMessage.ENDED || code == FeedMessage.CLOSED ? EventStatus.FINISHED
                    : code == FeedMessage.EVENT_CANCELLED || code == FeedMessage.ABANDONED ? EventStatus.CANCELLED : null;
            if (to != null) {
                Applied a = markets.eventStatus(event, m.producer(), m.timestamp(), to);
                changed.addAll(a.changed());
                applied += a.applied();
                stale += a.stale();
            }
        }
        if (m.markets() != null && !m.markets().isEmpty()) {
            List<FeedMarkets.MarketPrices> prices = new ArrayList<>();
            for (FeedMessage.Market market : m.markets()) {
                List<FeedMarkets.OutcomePrice> outcomes = new ArrayList<>();
                for (FeedMessage.Outcome o : market.outcomes() == null ? List.<FeedMessage.Outcome>of() : market.outcomes()) {
                    outcomes.add(new FeedMarkets.OutcomePrice(o.id(), o.name(), o.odds()));
                }
                prices.add(new FeedMarkets.MarketPrices(market.id(), market.name(),
                        feedStatus(market.status() == null ? FeedMessage.ACTIVE : market.status()), outcomes));
            }
            Applied a = markets.odds(event, m.producer(), config.handoverTo(), up, handoverUp, m.timestamp(), prices);
            changed.addAll(a.changed());
            applied += a.applied();
            stale += a.stale();
        }
        return new Applied(changed, applied, stale);
    }

    private Applied settle(BetSettlement m) {
        Optional<Long> event = markets.eventId(m.eventId());
        if (event.isEmpty()) {
            return new Applied(new LinkedHashSet<>(), 0, 1);
        }
        int applied = 0;
        int stale = 0;
        for (FeedMessage.SettledMarket sm : m.markets() == null ? List.<FeedMessage.SettledMarket>of() : m.markets()) {
            Optional<Long> market = markets.marketId(event.get(), sm.id());
            if (market.isEmpty() || !markets.settlementTurn(market.get(), m.timestamp(), m.certainty())) {
                stale++;
                continue;
            }
            markets.settledByFeed(market.get(), m.timestamp(), FeedStatus.SETTLED);
            List<Long> winners = new ArrayList<>();
            List<Long> voids = new ArrayList<>();
            List<Long> partials = new ArrayList<>();
            List<BigDecimal> factors = new ArrayList<>();
            for (FeedMessage.SettledOutcome o : sm.outcomes()) {
                long selection = markets.selectionId(market.get(), o.id())
                        .orElseThrow(() -> new IllegalArgumentException("Unknown outcome " + o.id() + " of market " + sm.id()));
                BigDecimal vf = o.voidFactor() == null ? BigDecimal.ZERO : o.voidFactor();
                if (vf.compareTo(BigDecimal.ONE) == 0) {
                    voids.add(selection);
                    continue;
                }
                if (vf.signum() != 0) {
                    partials.add(selection);
                    factors.add(vf);
                }
                if (Integer.valueOf(1).equals(o.result())) {
                    winners.add(selection);
                }
            }
            Results.Posted posted = results.post("feed:" + m.producer(), market.get(), longs(winners), longs(voids),
                    false, null, longs(partials), factors.toArray(BigDecimal[]::new));
            if (posted.newRevision()) {
                applied++;
            } else {
                stale++; // the same result again (certainty 2 after 1): nothing more to pay
            }
        }
        return new Applied(new LinkedHashSet<>(), applied, stale);
    }

    private Applied cancel(BetCancel m) {
        return eachMarket(m.eventId(), m.markets(), m.timestamp(), market -> {
            if (m.startTime() != null || m.endTime() != null) {
                return results.cancelBets("feed:" + m.producer(), market, instant(m.startTime()), instant(m.endTime()));
            }
            markets.settledByFeed(market, m.timestamp(), FeedStatus.CANCELLED);
            return results.post("feed:" + m.producer(), market, new long[0], new long[0], true, null);
        });
    }

    private Applied rollback(RollbackBetSettlement m) {
        return eachMarket(m.eventId(), m.markets(), m.timestamp(),
                market -> reopened(market, results.withdraw("feed:" + m.producer(), market)));
    }

    /** After a rollback the market trades as the feed says again, unless its event is over (FeedMarkets.reopen). */
    private Results.Posted reopened(long market, Results.Posted posted) {
        if (posted.newRevision()) {
            markets.reopen(market);
        }
        return posted;
    }

    /** A settlement-side message on each market it names whose settlement turn it is; a posted revision counts. */
    private Applied eachMarket(String eventId, List<FeedMessage.MarketRef> refs, long timestamp,
            java.util.function.LongFunction<Results.Posted> action) {
        Optional<Long> event = markets.eventId(eventId);
        if (event.isEmpty()) {
            return new Applied(new LinkedHashSet<>(), 0, 1);
        }
        int applied = 0;
        int stale = 0;
        for (FeedMessage.MarketRef ref : refs == null ? List.<FeedMessage.MarketRef>of() : refs) {
            Optional<Long> market = markets.marketId(event.get(), ref.id());
            if (market.isEmpty() || !markets.settlementTurn(market.get(), timestamp, null)) {
                stale++;
                continue;
            }
            applied += action.apply(market.get()).newRevision() ? 1 : 0;
        }
        return new Applied(new LinkedHashSet<>(), applied, stale);
    }

    private static Instant instant(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }

    /** An alive: while UP, its timestamp is where a later recovery starts; subscribed=0 takes the producer down. */
    @Transactional
    @Fenced
    Transition alive(String producer, long ts, boolean subscribed) {
        ProducerRow row = producer(producer, "FOR UPDATE");
        if (!subscribed) {
            return down(row, "alive with subscribed=0");
        }
        if (row.status() == Status.UP) {
            jdbc.update("UPDATE feed_producer SET last_alive_ts = greatest(coalesce(last_alive_ts, 0), ?) WHERE name = ?",
                    ts, producer);
        }
        return new Transition(producer(producer, ""), false, Set.of());
    }

    /** The producer is down: its markets are suspended until a recovery ends. */
    @Transactional
    @Fenced
    Transition down(String producer, String reason) {
        return down(producer(producer, "FOR UPDATE"), reason);
    }

    private Transition down(ProducerRow row, String reason) {
        Set<Long> suspended = markets.producerDown(row.name());
        boolean changed = row.status() != Status.DOWN;
        if (changed) {
            jdbc.update("UPDATE feed_producer SET status = 'DOWN', status_since = now(), down_reason = ?, "
                    + "recovery_request_id = NULL, downs = downs + 1, last_down_at = now() WHERE name = ?", reason,
                    row.name());
        }
        return new Transition(producer(row.name(), ""), changed, suspended);
    }

    /**
     * A recovery request is about to be sent: RECOVERING (the markets stay suspended) with the request id that its
     * snapshot_complete will carry, and from the last alive processed while UP (null: the feed sends its snapshot).
     */
    @Transactional
    @Fenced
    Transition recovering(String producer, long requestId, String reason) {
        ProducerRow row = producer(producer, "FOR UPDATE");
        Set<Long> suspended = markets.producerDown(producer);
        jdbc.update("UPDATE feed_producer SET status = 'RECOVERING', status_since = CASE WHEN status = 'RECOVERING' "
                + "THEN status_since ELSE now() END, down_reason = coalesce(?, down_reason), recovery_request_id = ?, "
                + "recovery_after = last_alive_ts, recovery_started_at = now(), downs = downs + CASE WHEN status = 'UP' "
                + "THEN 1 ELSE 0 END, last_down_at = CASE WHEN status = 'UP' THEN now() ELSE last_down_at END "
                + "WHERE name = ?", reason, requestId, producer);
        return new Transition(producer(producer, ""), row.status() != Status.RECOVERING, suspended);
    }

    /** snapshot_complete for the request in flight: UP, and the markets take the feed's status again. */
    @Transactional
    @Fenced
    Transition up(String producer, long requestId) {
        ProducerRow row = producer(producer, "FOR UPDATE");
        if (row.status() != Status.RECOVERING || row.requestId() == null || row.requestId() != requestId) {
            return new Transition(row, false, Set.of());
        }
        jdbc.update("UPDATE feed_producer SET status = 'UP', status_since = now(), down_reason = NULL, "
                + "last_recovery_after = recovery_after, last_recovery_ms = (extract(epoch FROM clock_timestamp() "
                + "- recovery_started_at) * 1000)::bigint, recovery_request_id = NULL WHERE name = ?", producer);
        Set<Long> reopened = markets.producerUp(producer);
        return new Transition(producer(producer, ""), true, reopened);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    List<ProducerRow> producers() {
        return jdbc.query(PRODUCER_COLUMNS + "ORDER BY name", FeedTransactions::row);
    }

    /** The producer's row, created DOWN on its first message, read with the given lock. */
    private ProducerRow producer(String name, String lock) {
        if (!lock.isEmpty()) {
            jdbc.update("INSERT INTO feed_producer (name) VALUES (?) ON CONFLICT (name) DO NOTHING", name);
        }
        return jdbc.queryOne(PRODUCER_COLUMNS + "WHERE name = ? " + lock, FeedTransactions::row, name).orElseThrow();
    }

    private static ProducerRow row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new ProducerRow(rs.getString("name"), Status.valueOf(rs.getString("status")),
                Jdbc.nullableLong(rs, "last_alive_ts"), Jdbc.nullableLong(rs, "recovery_request_id"),
                Jdbc.nullableLong(rs, "recovery_after"), Jdbc.instant(rs, "recovery_started_at"),
                Jdbc.instant(rs, "status_since"), rs.getString("down_reason"),
                Jdbc.nullableLong(rs, "last_recovery_after"), Jdbc.nullableLong(rs, "last_recovery_ms"),
                rs.getLong("downs"), Jdbc.instant(rs, "last_down_at"));
    }

    private static FeedMarkets.Fixture fixture(FeedMessage.Fixture f) {
        return f == null ? null : new FeedMarkets.Fixture(f.name(), f.startTime() == null ? null
                : Instant.ofEpochMilli(f.startTime()), f.sport(), f.competition());
    }

    static FeedStatus feedStatus(int uof) {
        switch (uof) {
            case FeedMessage.ACTIVE:
                return FeedStatus.ACTIVE;
            case FeedMessage.DEACTIVATED:
                return FeedStatus.DEACTIVATED;
            case FeedMessage.HANDED_OVER:
                return FeedStatus.HANDED_OVER;
            case FeedMessage.SETTLED:
                return FeedStatus.SETTLED;
            case FeedMessage.CANCELLED:
                return FeedStatus.CANCELLED;
            default:
                return FeedStatus.SUSPENDED;
        }
    }

    private static long[] longs(List<Long> ids) {
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
