package io.holdfast.odds;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.events.Outbox;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;

/**
 * The odds feed's writes to events, markets and selections: the same rows and price history the back office
 * writes, so placement and the odds book read them the same way. Every method joins the caller's fenced
 * transaction (the feed applies one message per transaction). A market's status is derived here, in one place:
 * closed, settled and void stay; otherwise SUSPENDED when a trader holds it, its producer is down, or the feed does
 * not say ACTIVE; else OPEN. A market row is taken {@code FOR UPDATE} (in id order) before its status moves, the
 * lock that waits for the placements holding it {@code FOR KEY SHARE}. The caller refreshes the odds book with the
 * market ids returned, after the commit. Every status or price it moves is recorded in the outbox in the same
 * transaction ({@code market.status-changed}, {@code market.price-changed}), as the back office's changes are.
 */
@ApplicationScoped
@ModuleApi
@Transactional(Transactional.TxType.MANDATORY)
public class FeedMarkets {

    /** A market's status as the feed says it (UOF: 1, -1, 0, -2, -3, -4). */
    public enum FeedStatus {
        ACTIVE, SUSPENDED, DEACTIVATED, HANDED_OVER, SETTLED, CANCELLED
    }

    public record Fixture(String name, Instant startsAt, String sport, String competition) {
    }

    public record OutcomePrice(String ref, String name, BigDecimal odds) {
    }

    public record MarketPrices(String ref, String name, FeedStatus status, List<OutcomePrice> outcomes) {
    }

    /** What a message did: markets whose row changed (to refresh in the book), and how many it found stale. */
    public record Applied(Set<Long> changed, int applied, int stale) {
        public static Applied none() {
            return new Applied(new LinkedHashSet<>(), 0, 0);
        }
    }

    private record Row(long id, String status, String producer, Long feedTs) {
    }

    /** Derives the status, and returns the markets whose status it moved: id, from, to. */
    private static final String DERIVED_STATUS = """
            WITH before AS (SELECT id, status FROM market WHERE id = ANY (?)),
            moved AS (
                UPDATE market SET status = CASE WHEN operator_hold OR producer_down OR feed_status IS DISTINCT FROM 'ACTIVE'
                                                THEN 'SUSPENDED' ELSE 'OPEN' END,
                       suspended_at = CASE WHEN status = 'OPEN'
                                            AND (operator_hold OR producer_down OR feed_status IS DISTINCT FROM 'ACTIVE')
                                           THEN clock_timestamp() ELSE suspended_at END
                WHERE id = ANY (?) AND source = 'FEED' AND status IN ('OPEN', 'SUSPENDED')
                RETURNING id, status)
            SELECT moved.id, before.status, moved.status FROM moved JOIN before ON before.id = moved.id
            WHERE moved.status <> before.status ORDER BY moved.id""";

    private final Jdbc jdbc;
    private final Outbox outbox;

    FeedMarkets(Jdbc jdbc, Outbox outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    private static Outbox.Event statusChanged(long market, String from, String to) {
        return new Outbox.Event(Outbox.Type.MARKET_STATUS_CHANGED, market, Outbox.payload("marketId", market, "from",
                from, "to", to));
    }

    /** The event with this feed reference, created (SCHEDULED, owned by {@code producer}) when new. */
    public long event(String ref, String producer, Fixture fixture) {
        Optional<Long> known = eventId(ref);
        if (known.isPresent()) {
            return known.get();
        }
        Fixture f = fixture == null ? new Fixture(null, null, null, null) : fixture;
        jdbc.update("""
                INSERT INTO event (name, starts_at, status, sport, competition, source, producer, feed_ref)
                VALUES (?, coalesce(?, now()), 'SCHEDULED', ?, ?, 'FEED', ?, ?)
                ON CONFLICT (feed_ref) WHERE feed_ref IS NOT NULL DO NOTHING""",
                f.name() == null ? ref : f.name(), f.startsAt(), f.sport() == null ? "Other" : f.sport(),
                f.competition() == null ? "Other" : f.competition(), producer, ref);
        return eventId(ref).orElseThrow();
    }

    public Optional<Long> eventId(String ref) {
        return jdbc.queryOne("SELECT id FROM event WHERE feed_ref = ?", rs -> rs.getLong(1), ref);
    }

    public Optional<Long> marketId(long eventId, String ref) {
        return jdbc.queryOne("SELECT id FROM market WHERE event_id = ? AND feed_ref = ?", rs -> rs.getLong(1), eventId, ref);
    }

    public Optional<Long> selectionId(long marketId, String ref) {
        return jdbc.queryOne("SELECT id FROM selection WHERE market_id = ? AND feed_ref = ?", rs -> rs.getLong(1),
                marketId, ref);
    }

    /** The feed's markets of an event (ids), in id order. */
    public List<Long> marketsOf(long eventId) {
        return jdbc.query("SELECT id FROM market WHERE event_id = ? AND source = 'FEED' ORDER BY id", rs -> rs.getLong(1),
                eventId);
    }

    /**
     * Applies an odds_change's markets: creates the ones not seen before, then for each market whose watermark is
     * older than {@code ts} takes the new prices and feed status. A market owned by another producer is taken over
     * only by {@code handoverTo} (pre-match hands over to live, never back); a HANDED_OVER status moves the market to
     * {@code handoverTo} and suspends it until that producer prices it.
     */
    public Applied odds(long eventId, String producer, String handoverTo, boolean producerUp, boolean handoverUp,
            long ts, List<MarketPrices> markets) {
        Applied out = Applied.none();
        List<Long> ids = new ArrayList<>();
        for (MarketPrices m : markets) {
            ids.add(ensureMarket(eventId, producer, producerUp, m));
        }
        List<Row> rows = lock(ids);
        int stale = 0;
        int applied = 0;
        for (int i = 0; i < markets.size(); i++) {
            MarketPrices m = markets.get(i);
            long id = ids.get(i);
            Row row = rows.stream().filter(r -> r.id() == id).findFirst().orElseThrow();
            if (!row.status().equals("OPEN") && !row.status().equals("SUSPENDED")) {
                stale++; // closed, settled or void: the feed's prices no longer matter
                continue;
            }
            if (row.feedTs() != null && ts <= row.feedTs()) {
                stale++; // a duplicate, or older than what this market already took
                continue;
            }
            String owner = row.producer();
            boolean ownerUp = producerUp;
            if (!owner.equals(producer)) {
                if (producer.equals(handoverTo)) {
                    owner = producer; // the live producer takes the market over from pre-match
                } else {
                    stale++; // the market was handed over: its old producer no longer moves it
                    continue;
                }
            }
            FeedStatus status = m.status() == null ? FeedStatus.ACTIVE : m.status();
            if (status == FeedStatus.HANDED_OVER && handoverTo != null && !handoverTo.equals(owner)) {
                owner = handoverTo;
                ownerUp = handoverUp;
            }
            for (OutcomePrice o : m.outcomes()) {
                reprice(id, o, "feed:" + producer);
            }
            jdbc.update("UPDATE market SET feed_status = ?, feed_ts = ?, producer = ?, producer_down = ? WHERE id = ?",
                    status.name(), ts, owner, !ownerUp, id);
            out.changed().add(id);
            applied++;
        }
        derive(out.changed());
        return new Applied(out.changed(), applied, stale);
    }

    /** A bet_stop: the producer's open markets of the event (or the ones named) take {@code status} at {@code ts}. */
    public Applied stop(long eventId, String producer, long ts, List<String> marketRefs, FeedStatus status) {
        List<Long> ids = new ArrayList<>();
        if (marketRefs == null || marketRefs.isEmpty()) {
            ids.addAll(marketsOf(eventId));
        } else {
            for (String ref : marketRefs) {
                marketId(eventId, ref).ifPresent(ids::add);
            }
        }
        Set<Long> changed = new LinkedHashSet<>();
        int stale = 0;
        for (Row row : lock(ids)) {
            if (!row.producer().equals(producer) || !(row.status().equals("OPEN") || row.status().equals("SUSPENDED"))
                    || (row.feedTs() != null && ts <= row.feedTs())) {
                stale++;
                continue;
            }
            jdbc.update("UPDATE market SET feed_status = ?, feed_ts = ? WHERE id = ?", status.name(), ts, row.id());
            changed.add(row.id());
        }
        derive(changed);
        return new Applied(changed, changed.size(), stale);
    }

    /**
     * The event's status as the feed reports it, if newer than the event's watermark: LIVE from SCHEDULED (owned from
     * then on by {@code producer}), FINISHED closes its open and suspended markets (no more bets; results follow).
     */
    public Applied eventStatus(long eventId, String producer, long ts, EventStatus to) {
        Applied out = Applied.none();
        var current = jdbc.queryOne("SELECT status, feed_ts FROM event WHERE id = ? FOR UPDATE",
                rs -> new Object[] { rs.getString(1), Jdbc.nullableLong(rs, "feed_ts") }, eventId).orElseThrow();
        String status = (String) current[0];
        Long feedTs = (Long) current[1];
        if (feedTs != null && ts <= feedTs) {
            return new Applied(out.changed(), 0, 1);
        }
        boolean moves = switch (to) {
            case LIVE -> status.equals("SCHEDULED");
            case FINISHED, CANCELLED -> status.equals("SCHEDULED") || status.equals("LIVE");
            default -> false;
        };
        jdbc.update("UPDATE event SET feed_ts = ?, status = CASE WHEN ? THEN ? ELSE status END, "
                + "producer = CASE WHEN ? THEN ? ELSE producer END WHERE id = ?", ts, moves, to.name(), moves, producer,
                eventId);
        if (moves && (to == EventStatus.FINISHED || to == EventStatus.CANCELLED)) {
            List<Outbox.Event> closed = jdbc.query("SELECT id, status FROM market WHERE event_id = ? "
                    + "AND status IN ('OPEN', 'SUSPENDED') ORDER BY id FOR UPDATE",
                    rs -> statusChanged(rs.getLong(1), rs.getString(2), "CLOSED"), eventId);
            jdbc.update("UPDATE market SET status = 'CLOSED' WHERE id = ANY (?)",
                    (Object) closed.stream().mapToLong(Outbox.Event::key).toArray());
            outbox.recordAll(closed);
        }
        if (moves) {
            out.changed().addAll(jdbc.query("SELECT id FROM market WHERE event_id = ? ORDER BY id", rs -> rs.getLong(1),
                    eventId));
        }
        return new Applied(out.changed(), moves ? 1 : 0, 0);
    }

    /** A fixture_change: a new start time or name, if newer than the event's watermark. */
    public boolean fixture(long eventId, long ts, Fixture fixture) {
        return jdbc.update("UPDATE event SET starts_at = coalesce(?, starts_at), name = coalesce(?, name), "
                + "feed_ts = ? WHERE id = ? AND (feed_ts IS NULL OR feed_ts < ?)", fixture.startsAt(), fixture.name(), ts,
                eventId, ts) == 1;
    }

    /**
     * Advances the market's settlement watermark to {@code ts} (and records the certainty); false when a message as
     * new or newer was already applied to it, which then changes nothing. Takes the market row first.
     */
    public boolean settlementTurn(long marketId, long ts, Integer certainty) {
        lock(List.of(marketId));
        return jdbc.update("UPDATE market SET feed_settle_ts = ?, feed_certainty = coalesce(?, feed_certainty) "
                + "WHERE id = ? AND (feed_settle_ts IS NULL OR feed_settle_ts < ?)", ts,
                certainty == null ? null : certainty.shortValue(), marketId, ts) == 1;
    }

    /**
     * The feed settled (or voided) the market at {@code ts}: its feed status says so, and no price or status older
     * than that message moves it again. Should a rollback reopen it, it stays suspended until the feed prices it anew.
     */
    public void settledByFeed(long marketId, long ts, FeedStatus status) {
        jdbc.update("UPDATE market SET feed_status = ?, feed_ts = greatest(coalesce(feed_ts, 0), ?) WHERE id = ? "
                + "AND source = 'FEED'", status.name(), ts, marketId);
    }

    /**
     * A rollback (of a settlement, or of a cancel) left the market without a result: it trades again as the feed
     * says (its status derived: suspended until the feed calls it active), unless its event is over. Closed it stays
     * when the result in force is a result, or the event finished. True when it reopened.
     */
    public boolean reopen(long marketId) {
        lock(List.of(marketId));
        int n = jdbc.update("""
                UPDATE market m SET status = 'SUSPENDED', suspended_at = clock_timestamp()
                FROM event e
                WHERE e.id = m.event_id AND m.id = ? AND m.source = 'FEED' AND m.status = 'CLOSED'
                  AND e.status IN ('SCHEDULED', 'LIVE')
                  AND NOT EXISTS (SELECT 1 FROM market_result r WHERE r.market_id = m.id
                                    AND r.revision = m.result_revision AND r.has_result)""", marketId);
        if (n == 0) {
            return false;
        }
        outbox.record(Outbox.Type.MARKET_STATUS_CHANGED, marketId, Outbox.payload("marketId", marketId, "from",
                "CLOSED", "to", "SUSPENDED"));
        derive(Set.of(marketId));
        return true;
    }

    /** The producer went down (silent, lagging, or told us to recover): every market it owns is suspended. */
    public Set<Long> producerDown(String producer) {
        List<Long> ids = jdbc.query("SELECT id FROM market WHERE producer = ? AND source = 'FEED' "
                + "AND status IN ('OPEN', 'SUSPENDED') ORDER BY id FOR UPDATE", rs -> rs.getLong(1), producer);
        Set<Long> changed = new LinkedHashSet<>(jdbc.query("SELECT id FROM market WHERE id = ANY (?) AND status = 'OPEN'",
                rs -> rs.getLong(1), (Object) toArray(ids)));
        jdbc.update("UPDATE market SET producer_down = true WHERE id = ANY (?)", (Object) toArray(ids));
        derive(new LinkedHashSet<>(ids));
        return changed;
    }

    /** The producer is up again (its recovery ended): its markets take the feed's status, unless a trader holds them. */
    public Set<Long> producerUp(String producer) {
        List<Long> ids = jdbc.query("SELECT id FROM market WHERE producer = ? AND source = 'FEED' "
                + "AND status IN ('OPEN', 'SUSPENDED') ORDER BY id FOR UPDATE", rs -> rs.getLong(1), producer);
        jdbc.update("UPDATE market SET producer_down = false WHERE id = ANY (?)", (Object) toArray(ids));
        derive(new LinkedHashSet<>(ids));
        return new LinkedHashSet<>(ids);
    }

    private long ensureMarket(long eventId, String producer, boolean producerUp, MarketPrices m) {
        Optional<Long> known = marketId(eventId, m.ref());
        long id;
        if (known.isPresent()) {
            id = known.get();
        } else {
            jdbc.update("""
                    INSERT INTO market (event_id, name, status, source, producer, feed_ref, feed_status, producer_down)
                    VALUES (?, ?, 'SUSPENDED', 'FEED', ?, ?, 'SUSPENDED', ?)
                    ON CONFLICT (event_id, feed_ref) WHERE feed_ref IS NOT NULL DO NOTHING""",
                    eventId, m.name() == null ? "Market " + m.ref() : m.name(), producer, m.ref(), !producerUp);
            id = marketId(eventId, m.ref()).orElseThrow();
            outbox.record(Outbox.Type.MARKET_STATUS_CHANGED, id, Outbox.payload("marketId", id, "eventId", eventId,
                    "from", null, "to", "SUSPENDED", "name", m.name() == null ? "Market " + m.ref() : m.name()));
        }
        int position = jdbc.queryOne("SELECT count(*) FROM selection WHERE market_id = ?", rs -> rs.getInt(1), id)
                .orElse(0);
        for (OutcomePrice o : m.outcomes()) {
            if (selectionId(id, o.ref()).isEmpty()) {
                long sid = jdbc.queryOne("""
                        INSERT INTO selection (market_id, name, odds, version, position, feed_ref)
                        VALUES (?, ?, ?, 1, ?, ?) RETURNING id""", rs -> rs.getLong(1), id,
                        o.name() == null ? o.ref() : o.name(), o.odds(), position++, o.ref()).orElseThrow();
                jdbc.update("INSERT INTO price_history (selection_id, odds, version, actor) VALUES (?, ?, 1, ?)", sid,
                        o.odds(), "feed:" + producer);
            }
        }
        return id;
    }

    private void reprice(long marketId, OutcomePrice o, String actor) {
        if (o.odds() == null) {
            return;
        }
        outbox.recordAll(jdbc.query("""
                WITH moved AS (
                    UPDATE selection SET odds = ?, version = version + 1
                    WHERE market_id = ? AND feed_ref = ? AND odds <> ? RETURNING id, odds, version)
                INSERT INTO price_history (selection_id, odds, version, actor)
                SELECT id, odds, version, ? FROM moved RETURNING selection_id, odds, version""",
                rs -> new Outbox.Event(Outbox.Type.PRICE_CHANGED, marketId, Outbox.payload("marketId", marketId,
                        "selectionId", rs.getLong(1), "odds", rs.getBigDecimal(2).setScale(2, java.math.RoundingMode.DOWN),
                        "version", rs.getInt(3))),
                o.odds(), marketId, o.ref(), o.odds(), actor));
    }

    /** Locks the markets FOR UPDATE in id order (the order placements and settlement lock them too). */
    private List<Row> lock(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Row> rows = jdbc.query("SELECT id, status, producer, feed_ts FROM market WHERE id = ANY (?) ORDER BY id "
                + "FOR UPDATE", rs -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3),
                        Jdbc.nullableLong(rs, "feed_ts")), (Object) toArray(ids));
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(Row::id));
        return sorted;
    }

    /** Derives the status of these feed markets from trader hold, producer and feed status (locked by the caller). */
    void derive(Set<Long> ids) {
        if (!ids.isEmpty()) {
            long[] array = toArray(ids);
            outbox.recordAll(jdbc.query(DERIVED_STATUS, rs -> statusChanged(rs.getLong(1), rs.getString(2),
                    rs.getString(3)), array, array));
        }
    }

    private static long[] toArray(java.util.Collection<Long> ids) {
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
