package io.holdfast.settlement;

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
        String status = jdbc.queryOne("SELECT status FROM market WHERE id = ? FOR UPDATE", rs -> rs.getString(1), marketId)
                .orElseThrow(() -> ProblemException.notFound("Market"));
        validate(marketId, winners, voids, voidMarket);
        Optional<MarketResult> latest = latest(marketId);
        if (latest.isPresent() && latest.get().sameOutcome(winners, voids, voidMarket, closedAt)) {
            return new Posted(marketId, latest.get().revision(), false);
        }
        int revision = latest.map(MarketResult::revision).orElse(0) + 1;
        jdbc.update("INSERT INTO market_result (market_id, revision, winners, voids, void_market, posted_by, closed_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", marketId, revision, winners, voids, voidMarket, actor, closedAt);
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
                        + Arrays.toString(voids)) + (closedAt == null ? "" : " closed at " + closedAt) + " (was " + status + ")");
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
        return jdbc.queryOne("SELECT revision, winners, voids, void_market, closed_at FROM market_result "
                + "WHERE market_id = ? ORDER BY revision DESC LIMIT 1", rs -> new MarketResult(marketId, rs.getInt(1),
                        longs(rs.getArray(2)), longs(rs.getArray(3)), rs.getBoolean(4), Jdbc.instant(rs, "closed_at")),
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
}
