package io.holdfast.settlement;

import java.math.BigDecimal;
import java.sql.Array;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.events.Outbox;
import io.holdfast.odds.OddsBook;
import io.holdfast.platform.AuditLog;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;

/** Posting results: each different result is a new revision; the same result again is a no-op. */
@ApplicationScoped
@ModuleApi
public class Results {

    /** What the admin was answered: the revision now in force and whether this call created it. */
    public record Posted(long marketId, int revision, boolean newRevision) {
    }

    private final Jdbc jdbc;
    private final AuditLog audit;
    private final OddsBook book;
    private final Event<ResultPosted> posted;
    private final Outbox outbox;

    Results(Jdbc jdbc, AuditLog audit, OddsBook book, Event<ResultPosted> posted, Outbox outbox) {
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.audit = audit;
        this.book = book;
        this.posted = posted;
    }

    @Transactional
    @Fenced
    public Posted post(String actor, long marketId, long[] winners, long[] voids, boolean voidMarket) {
        return post(actor, marketId, winners, voids, voidMarket, null);
    }

    /**
     * Posts a result. The market row is taken FOR UPDATE first: this waits for the placements that hold it
     * FOR KEY SHARE and makes later ones wait and then find the market CLOSED, so no bet commits on it after
     * this transaction. A new revision of a market whose settlement failed is settled at once (not after the
     * failed one's retry time). {@code closedAt} (optional) voids the bets placed at or after it.
     */
    @Transactional
    @Fenced
    public Posted post(String actor, long marketId, long[] winners, long[] voids, boolean voidMarket, Instant closedAt) {
        return post(actor, marketId, winners, voids, voidMarket, closedAt, new long[0], new BigDecimal[0]);
    }

    /**
     * Posts a result. The market row is taken FOR UPDATE first: this waits for the placements that hold it
     * FOR KEY SHARE and makes later ones wait and then find the market CLOSED, so no bet commits on it after
     * this transaction. A new revision of a market whose settlement failed is settled at once (not after the
     * failed one's retry time). {@code closedAt} (optional) voids the bets placed at or after it. A selection in
     * {@code partialSelections} settles by its result (winner or not) on {@code 1 - factor} of the stake and refunds
     * the rest (the odds feed's void factors, 0 &lt; factor &lt; 1).
     */
    @Transactional
    @Fenced
    public Posted post(String actor, long marketId, long[] winners, long[] voids, boolean voidMarket, Instant closedAt,
            long[] partialSelections, BigDecimal[] partialFactors) {
        String status = jdbc.queryOne("SELECT status FROM market WHERE id = ? FOR UPDATE", rs -> rs.getString(1), marketId)
                .orElseThrow(() -> ProblemException.notFound("Market"));
        validate(marketId, winners, voids, voidMarket);
        validatePartials(marketId, voids, partialSelections, partialFactors);
        Optional<MarketResult> latest = latest(marketId);
        if (latest.isPresent() && latest.get().sameOutcome(winners, voids, voidMarket, closedAt, partialSelections,
                partialFactors)) {
            return new Posted(marketId, latest.get().revision(), false);
        }
        int revision = latest.map(MarketResult::revision).orElse(0) + 1;
        jdbc.update("INSERT INTO market_result (market_id, revision, winners, voids, void_market, posted_by, closed_at, "
                + "partial_selections, partial_factors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS numeric[]))", marketId,
                revision, winners, voids, voidMarket, actor, closedAt, partialSelections, MarketResult.asDoubles(partialFactors));
        // A result ends betting on the market; a corrected result puts a settled or failed market back to
        // CLOSED until the (re)settlement is done: the scheduler takes it up at its next poll.
        jdbc.update("UPDATE market SET result_revision = ?, status = 'CLOSED', settlement_attempts = 0, "
                + "settlement_retry_at = NULL WHERE id = ?", revision, marketId);
        if (!status.equals("CLOSED")) {
            outbox.record(Outbox.Type.MARKET_STATUS_CHANGED, marketId, Outbox.payload("marketId", marketId, "from",
                    status, "to", "CLOSED", "resultRevision", revision));
        }
        audit.record(actor, revision == 1 ? "RESULT_POSTED" : "RESULT_CORRECTED", "market " + marketId + " revision "
                + revision + (voidMarket ? " void market" : " winners " + Arrays.toString(winners) + " void "
                        + Arrays.toString(voids)) + (partialSelections.length == 0 ? "" : " partly void "
                        + Arrays.toString(partialSelections) + " by " + Arrays.toString(partialFactors))
                + (closedAt == null ? "" : " closed at " + closedAt) + " (was " + status + ")");
        posted.fire(new ResultPosted(marketId));
        return new Posted(marketId, revision, true);
    }

    /**
     * Withdraws the market's result (the feed's rollback_bet_settlement): a revision without a result, so settlement
     * reverses the payouts and puts the bets back to ACCEPTED; the market stays CLOSED until a result comes again.
     * Nothing to withdraw (no result, or already withdrawn): no new revision.
     */
    @Transactional
    @Fenced
    public Posted withdraw(String actor, long marketId) {
        jdbc.queryOne("SELECT status FROM market WHERE id = ? FOR UPDATE", rs -> rs.getString(1), marketId)
                .orElseThrow(() -> ProblemException.notFound("Market"));
        Optional<MarketResult> latest = latest(marketId);
        if (latest.isEmpty() || !latest.get().hasResult()) {
            return new Posted(marketId, latest.map(MarketResult::revision).orElse(0), false);
        }
        int revision = latest.get().revision() + 1;
        jdbc.update("INSERT INTO market_result (market_id, revision, winners, voids, void_market, posted_by, has_result) "
                + "VALUES (?, ?, '{}', '{}', false, ?, false)", marketId, revision, actor);
        jdbc.update("UPDATE market SET result_revision = ?, status = 'CLOSED', settlement_attempts = 0, "
                + "settlement_retry_at = NULL WHERE id = ?", revision, marketId);
        audit.record(actor, "RESULT_WITHDRAWN", "market " + marketId + " revision " + revision);
        posted.fire(new ResultPosted(marketId));
        return new Posted(marketId, revision, true);
    }

    /**
     * Voids the bets on the market placed in [{@code from}, {@code to}) (either may be null: open ended), whatever the
     * market's result (the feed's bet_cancel with a time window). A new revision repeats the result in force (or none
     * yet), so settlement refunds the bets in the window now; the market's trading status is left as it is.
     */
    @Transactional
    @Fenced
    public Posted cancelBets(String actor, long marketId, Instant from, Instant to) {
        jdbc.queryOne("SELECT status FROM market WHERE id = ? FOR UPDATE", rs -> rs.getString(1), marketId)
                .orElseThrow(() -> ProblemException.notFound("Market"));
        boolean known = jdbc.queryOne("SELECT count(*) FROM bet_cancel_window WHERE market_id = ? AND NOT rolled_back "
                + "AND start_at IS NOT DISTINCT FROM ? AND end_at IS NOT DISTINCT FROM ?", rs -> rs.getLong(1), marketId,
                from, to).orElse(0L) > 0;
        Optional<MarketResult> latest = latest(marketId);
        if (known) {
            return new Posted(marketId, latest.map(MarketResult::revision).orElse(0), false);
        }
        jdbc.update("INSERT INTO bet_cancel_window (market_id, start_at, end_at, posted_by) VALUES (?, ?, ?, ?)",
                marketId, from, to, actor);
        int revision = latest.map(MarketResult::revision).orElse(0) + 1;
        repost(marketId, revision, actor, revision - 1);
        jdbc.update("UPDATE market SET result_revision = ?, settlement_attempts = 0, settlement_retry_at = NULL, "
                + "status = CASE WHEN status = 'SETTLEMENT_FAILED' THEN 'CLOSED' ELSE status END WHERE id = ?",
                revision, marketId);
        audit.record(actor, "BETS_CANCELLED", "market " + marketId + " revision " + revision + " bets placed from "
                + (from == null ? "the start" : from) + " to " + (to == null ? "the end" : to));
        posted.fire(new ResultPosted(marketId));
        return new Posted(marketId, revision, true);
    }

    /**
     * Undoes a cancel (the feed's rollback_bet_cancel): with a window, that window no longer voids its bets; without
     * one, the market's void result gives way to the result before it (or to none). A new revision, so settlement
     * takes the bets' refunds back and settles them as the result in force says. Nothing to undo: no new revision.
     */
    @Transactional
    @Fenced
    public Posted rollbackCancel(String actor, long marketId, Instant from, Instant to) {
        jdbc.queryOne("SELECT status FROM market WHERE id = ? FOR UPDATE", rs -> rs.getString(1), marketId)
                .orElseThrow(() -> ProblemException.notFound("Market"));
        Optional<MarketResult> latest = latest(marketId);
        int revision = latest.map(MarketResult::revision).orElse(0) + 1;
        int previous;
        if (from == null && to == null) {
            if (latest.isEmpty() || !latest.get().voidMarket()) {
                return new Posted(marketId, latest.map(MarketResult::revision).orElse(0), false);
            }
            previous = jdbc.queryOne("SELECT max(revision) FROM market_result WHERE market_id = ? AND revision < ? "
                    + "AND NOT void_market", rs -> rs.getInt(1), marketId, revision - 1).orElse(0);
        } else {
            if (jdbc.update("UPDATE bet_cancel_window SET rolled_back = true WHERE market_id = ? AND NOT rolled_back "
                    + "AND start_at IS NOT DISTINCT FROM ? AND end_at IS NOT DISTINCT FROM ?", marketId, from, to) == 0) {
                return new Posted(marketId, latest.map(MarketResult::revision).orElse(0), false);
            }
            previous = revision - 1;
        }
        // the revision in force again (none: no result, the bets stand open)
        repost(marketId, revision, actor, previous);
        jdbc.update("UPDATE market SET result_revision = ?, settlement_attempts = 0, settlement_retry_at = NULL, "
                + "status = CASE WHEN status IN ('SETTLEMENT_FAILED', 'SETTLED', 'VOID') THEN 'CLOSED' ELSE status END "
                + "WHERE id = ?", revision, marketId);
        audit.record(actor, "CANCEL_ROLLED_BACK", "market " + marketId + " revision " + revision + (from == null
                && to == null ? " (void market undone)" : " bets placed from " + (from == null ? "the start" : from)
                        + " to " + (to == null ? "the end" : to) + " stand again"));
        posted.fire(new ResultPosted(marketId));
        return new Posted(marketId, revision, true);
    }

    /** A new result revision committed. */
    record ResultPosted(long marketId) {
    }

    /** After the commit, before the admin is answered: the odds book shows the market closed on both nodes. */
    void refreshBook(@Observes(during = TransactionPhase.AFTER_SUCCESS) ResultPosted result) {
        book.refreshMarket(result.marketId());
    }

    /** A trader's "retry now" for a market whose settlement failed: the scheduler picks it up on its next poll. */
    @Transactional
    @Fenced
    public boolean retryNow(String actor, long marketId) {
        boolean due = jdbc.update("UPDATE market SET settlement_retry_at = now() WHERE id = ? AND status = 'SETTLEMENT_FAILED'",
                marketId) == 1;
        if (due) {
            audit.record(actor, "SETTLEMENT_RETRY", "market " + marketId);
        }
        return due;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    Optional<MarketResult> latest(long marketId) {
        return jdbc.queryOne("SELECT revision, winners, voids, void_market, closed_at, has_result, partial_selections, "
                + "partial_factors FROM market_result WHERE market_id = ? ORDER BY revision DESC LIMIT 1",
                rs -> new MarketResult(marketId, rs.getInt(1), longs(rs.getArray(2)), longs(rs.getArray(3)),
                        rs.getBoolean(4), Jdbc.instant(rs, "closed_at"), rs.getBoolean("has_result"),
                        longs(rs.getArray("partial_selections")), (BigDecimal[]) rs.getArray("partial_factors").getArray()),
                marketId);
    }

    private void validate(long marketId, long[] winners, long[] voids, boolean voidMarket) {
        if (voidMarket && (winners.length > 0 || voids.length > 0)) {
            throw ProblemException.unprocessable("VALIDATION_FAILED", "A void market names no winners or voids");
        }
        if (!voidMarket && winners.length == 0 && voids.length == 0) {
            throw ProblemException.unprocessable("VALIDATION_FAILED", "Name the winners, the void selections, or voidMarket");
        }
        Set<Long> ofMarket = new HashSet<>(jdbc.query("SELECT id FROM selection WHERE market_id = ?",
                rs -> rs.getLong(1), marketId));
        Set<Long> seen = new HashSet<>();
        for (long id : concat(winners, voids)) {
            if (!ofMarket.contains(id)) {
                throw ProblemException.unprocessable("VALIDATION_FAILED", "Selection " + id + " is not in market " + marketId);
            }
            if (!seen.add(id)) {
                throw ProblemException.unprocessable("VALIDATION_FAILED", "Selection " + id + " is named twice");
            }
        }
    }

    private void validatePartials(long marketId, long[] voids, long[] selections, BigDecimal[] factors) {
        if (selections.length != factors.length) {
            throw ProblemException.unprocessable("VALIDATION_FAILED", "One void factor per partly void selection");
        }
        Set<Long> ofMarket = new HashSet<>(jdbc.query("SELECT id FROM selection WHERE market_id = ?",
                rs -> rs.getLong(1), marketId));
        Set<Long> seen = new HashSet<>(list(voids));
        for (int i = 0; i < selections.length; i++) {
            if (!ofMarket.contains(selections[i]) || !seen.add(selections[i])) {
                throw ProblemException.unprocessable("VALIDATION_FAILED", "Selection " + selections[i]
                        + " is not in market " + marketId + " or is named twice");
            }
            if (factors[i].signum() <= 0 || factors[i].compareTo(BigDecimal.ONE) >= 0 || factors[i].scale() > 3) {
                throw ProblemException.unprocessable("VALIDATION_FAILED", "A partial void factor is between 0 and 1 "
                        + "(at most 3 decimals), not " + factors[i]);
            }
        }
    }

    private static long[] concat(long[] a, long[] b) {
        long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    static long[] longs(Array array) throws java.sql.SQLException {
        Long[] boxed = (Long[]) array.getArray();
        return Arrays.stream(boxed).mapToLong(Long::longValue).toArray();
    }

    static List<Long> list(long[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    /** Posts revision {@code revision} as a copy of revision {@code from} (none there: a revision without a result). */
    private void repost(long marketId, int revision, String actor, int from) {
        jdbc.update("""
                INSERT INTO market_result (market_id, revision, winners, voids, void_market, posted_by, closed_at,
                                           has_result, partial_selections, partial_factors)
                SELECT ?, ?, coalesce(r.winners, '{}'), coalesce(r.voids, '{}'), coalesce(r.void_market, false), ?,
                       r.closed_at, coalesce(r.has_result, false), coalesce(r.partial_selections, '{}'),
                       coalesce(r.partial_factors, '{}')
                FROM (SELECT 1) one LEFT JOIN market_result r ON r.market_id = ? AND r.revision = ?""",
                marketId, revision, actor, marketId, from);
    }
}
