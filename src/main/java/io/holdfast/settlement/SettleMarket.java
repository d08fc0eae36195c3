package io.holdfast.settlement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.cluster.WriteGuard;
import io.holdfast.events.Outbox;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.settlement.SettlementCalculator.LegResult;
import io.holdfast.settlement.SettlementCalculator.Outcome;
import io.holdfast.settlement.SettlementCalculator.Verdict;
import io.holdfast.wallet.LedgerType;
import io.holdfast.wallet.Wallet;

/**
 * Settles one market at its latest result revision, in batches of bets claimed with
 * {@code FOR UPDATE SKIP LOCKED}. A bet settled before (an earlier revision, or its other legs) has its
 * previous payout reversed, then the new outcome applied: the ledger shows reversal and new payout. The
 * payout row is unique per bet and settlement sequence, so a payout is credited exactly once.
 */
@ApplicationScoped
class SettleMarket {

    private record Claimed(long id, long accountId, long stake, String status, Long payout, int seq,
            List<long[]> legSelections, List<LegResult> legs) {
    }

    private final Jdbc jdbc;
    private final Wallet wallet;
    private final GuardedCalculation calculation;
    private final String claimSql;
    private final Outbox outbox;
    private final WriteGuard guard;

    SettleMarket(Jdbc jdbc, Wallet wallet, GuardedCalculation calculation, HoldfastConfig config, Outbox outbox,
            WriteGuard guard) {
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.wallet = wallet;
        this.calculation = calculation;
        this.guard = guard;
        this.claimSql = claimSql(config.settlement().batch());
    }

    /** What one batch did: how many bets it claimed, and the highest bet id among them (the next batch starts after it). */
    record Batch(int bets, long lastId) {
    }

    /**
     * Settles one batch of the bets after {@code afterId} (bet ids in order: a batch never scans again the legs the
     * batches before it settled, so the market's settlement stays linear in its bets, and reads no bet of another
     * market: {@link #claim}). A bet skipped because another
     * transaction holds it is left for the next pass ({@link #finish} then answers false). Only the bets of part
     * {@code part} of {@code parts} of the bettors (account id modulo parts) are claimed: transactions side by side on
     * one market, each with its own part, never lock the same account, so none waits for another's commit (which, on a
     * synchronous standby, lasts as long as the statements before it), and each account's journals are written in one
     * order.
     * <p>
     * Five statements whatever the batch's size, set-based: claim the bets and give this market's legs the result (one
     * statement); read the bets and all their legs; the payouts with their journals and events (Wallet.creditPayouts:
     * the accounts' lock, then one statement); the bets' new status with their {@code bet.settled} events (one). Only a
     * resettlement that takes an earlier payout back or leaves a bet open again adds statements of its own (rare).
     */
    @Transactional
    @Fenced
    Batch settleBatch(MarketResult result, long afterId, int part, int parts) {
        long marketId = result.marketId();
        // the claimed bets, each with whether this statement gave its leg the result (false: another transaction
        // settled it at this revision between this statement's snapshot and its lock; it is left as it is)
        List<long[]> claimed = jdbc.query(claimSql, rs -> new long[] { rs.getLong(1), rs.getBoolean(2) ? 1 : 0 },
                parts, part, marketId, afterId, result.revision(), result.hasResult(), result.voidMarket(),
                result.voids(), result.closedAt(), result.winners(), result.partialSelections(),
                MarketResult.asDoubles(result.partialFactors()), result.revision(), marketId, result.revision());
        if (claimed.isEmpty()) {
            return new Batch(0, afterId);
        }
        long lastId = claimed.get(claimed.size() - 1)[0];
        long[] ids = claimed.stream().filter(c -> c[1] == 1).mapToLong(c -> c[0]).toArray();
        if (ids.length == 0) {
            return new Batch(claimed.size(), lastId);
        }
        // the bets and all their legs read again, by a statement of its own: its snapshot is taken after the claim's
        // locks, so it sees what a settlement of another market committed on the same bets (an accumulator) meanwhile.
        // The legs are read per bet (LATERAL, OFFSET 0 keeps it from being flattened into a join): one plan whether
        // PostgreSQL plans for these ids or for any (a prepared statement's generic plan), each bet's legs read by the
        // primary key, 2-10 ms a batch of 1 000. As a join on the ids' array, the plan for the ids themselves hashed a
        // sequential scan of every leg (100-500 ms a batch on 120 000 legs), and with the ids' range added the generic
        // plan scanned the whole range for each leg (1.2 s)
        Map<Long, Claimed> bets = new LinkedHashMap<>();
        jdbc.query("""
                SELECT b.id, b.account_id, b.stake, b.status, b.payout, b.settlement_seq, l.odds AS odds, l.result,
                       l.void_factor
                FROM bet b CROSS JOIN LATERAL (SELECT x.leg_no, x.odds, x.result, x.void_factor FROM bet_leg x
                                               WHERE x.bet_id = b.id OFFSET 0) l
                WHERE b.id = ANY (?)
                ORDER BY b.id, l.leg_no""", rs -> {
            long id = rs.getLong(1);
            Claimed bet = bets.get(id);
            if (bet == null) {
                bet = new Claimed(id, rs.getLong(2), rs.getLong(3), rs.getString(4), Jdbc.nullableLong(rs, "payout"),
                        rs.getInt(6), new ArrayList<>(), new ArrayList<>());
                bets.put(id, bet);
            }
            bet.legs().add(new LegResult(Jdbc.odds(rs, "odds"), rs.getString(8), rs.getBigDecimal(9)));
            return null;
        }, (Object) ids);
        // accounts in id order, the order the pending-bet completer uses too: two transactions that credit the
        // same accounts wait for each other instead of deadlocking (40P01)
        List<Claimed> byAccount = new ArrayList<>(bets.values());
        byAccount.sort(Comparator.comparingLong(Claimed::accountId).thenComparingLong(Claimed::id));
        List<Outcome> outcomes = calculation.outcomes(marketId,
                byAccount.stream().map(bet -> new GuardedCalculation.Slip(bet.stake(), bet.legs())).toList());
        List<Long> moved = new ArrayList<>();
        boolean reversals = false;
        for (int i = 0; i < byAccount.size(); i++) {
            Claimed bet = byAccount.get(i);
            Outcome outcome = outcomes.get(i);
            boolean reversal = !bet.status().equals("ACCEPTED") && bet.payout() != null && bet.payout() > 0;
            reversals |= reversal;
            if (reversal || (outcome.verdict() != Verdict.OPEN && outcome.payout() > 0)) {
                moved.add(bet.accountId());
            }
        }
        // a reversal moves a balance before the payouts do: then every account this batch moves is locked at once,
        // in id order (byAccount is in that order). Without one, creditPayouts locks its own accounts the same way.
        if (reversals) {
            jdbc.query("SELECT id FROM account WHERE id = ANY (?) ORDER BY id FOR UPDATE", rs -> null,
                    (Object) moved.stream().mapToLong(Long::longValue).distinct().toArray());
        }
        List<Outbox.Event> reopened = new ArrayList<>();
        Settled settled = new Settled(byAccount.size(), marketId, result.revision());
        for (int i = 0; i < byAccount.size(); i++) {
            Claimed bet = byAccount.get(i);
            if (apply(bet, outcomes.get(i), settled)) {
                reopened.add(new Outbox.Event(Outbox.Type.BET_REOPENED, bet.id(),
                        Outbox.payload("betId", bet.id(), "accountId", bet.accountId(), "status", "ACCEPTED",
                                "payout", null, "settlementSeq", bet.seq(), "previousStatus", bet.status(),
                                "previousPayout", bet.payout(), "marketId", marketId,
                                "resultRevision", result.revision())));
            }
        }
        // the bets' events after their ledger journals (each of which has its own event), each kind in bet id order
        settled.write();
        reopened.sort(Comparator.comparingLong(Outbox.Event::key));
        outbox.recordAll(reopened);
        return new Batch(claimed.size(), lastId);
    }

    /**
     * The next {@code batch} bets of the market after a bet id, of one part of the bettors, locked (parameters: parts,
     * part, market id, the bet id, the result revision). It walks the market's legs in bet id order (the index on
     * market and bet) and takes each leg's bet by its key: what it reads is the batch, whatever else the book holds. The
     * bet is a LATERAL subquery that PostgreSQL may not flatten (OFFSET 0): flattened into a join or a semi-join, the
     * plan for the first batch (no bound on the bet id yet) hashed a sequential scan of the whole bet table, since the
     * part's {@code %} hides how many bets match; measured on 1.9 million bets, 100 000 of them on the market, 0.9-1.2 s
     * a batch, so a settlement took longer with every market settled before it (15 s, then 65 s, on the same pair).
     * Now 14 ms. A bet has one leg per market (PlaceBet refuses two), so it comes once.
     */
    static String claim(int batch) {
        return """
                SELECT b.id, b.placed_at FROM bet_leg l
                CROSS JOIN LATERAL (SELECT x.id, x.placed_at FROM bet x
                                    WHERE x.id = l.bet_id AND x.account_id %% ? = ?
                                      AND x.status IN ('ACCEPTED', 'WON', 'LOST', 'VOID') OFFSET 0) b
                WHERE l.market_id = ? AND l.bet_id > ? AND l.result_revision IS DISTINCT FROM ?
                ORDER BY l.bet_id LIMIT %d FOR UPDATE OF b SKIP LOCKED""".formatted(batch);
    }

    /**
     * The claim and this market's result on the claimed bets' legs, in one statement that answers each claimed bet in
     * id order with whether its leg took the result. A bet placed at or after the moment the market really closed
     * (closedAt), or inside a cancel window (the feed's bet_cancel), is void on it: a late bet is never paid. A revision
     * without a result (a rollback) leaves the legs open again.
     * <p>
     * Two transactions on one market skip each other's bets, but the claim can still lock a bet that the other
     * committed after this statement's snapshot was taken: the row lock then yields the bet's new version, while the
     * scan of the legs still saw the old one. The leg's {@code result_revision} in the UPDATE's condition is
     * checked again on its newest version, so such a leg is not updated and its bet not settled twice.
     * <p>
     * The batch size is written into the statement, not bound: with it as a parameter a generic plan guessed a tenth
     * of the table for the claim. The legs are named by the claimed ids as an array on top of the join: from the join
     * alone PostgreSQL hashed a sequential scan of every leg of the market (100 000) for each batch.
     */
    private static String claimSql(int batch) {
        return "WITH claimed AS MATERIALIZED (" + claim(batch) + "),\n" + """
                resulted AS (
                    UPDATE bet_leg l SET result = CASE WHEN EXISTS (SELECT 1 FROM bet_cancel_window w
                                                                    WHERE w.market_id = l.market_id AND NOT w.rolled_back
                                                                      AND b.placed_at >= coalesce(w.start_at, '-infinity')
                                                                      AND b.placed_at < coalesce(w.end_at, 'infinity'))
                                                       THEN 'VOID'
                                                       WHEN NOT ? THEN NULL
                                                       WHEN ? OR l.selection_id = ANY (?) OR b.placed_at >= ?
                                                       THEN 'VOID'
                                                       WHEN l.selection_id = ANY (?) THEN 'WON' ELSE 'LOST' END,
                                         void_factor = (SELECT p.f FROM unnest(?::bigint[], ?::numeric[]) AS p(s, f)
                                                        WHERE p.s = l.selection_id),
                                         result_revision = ?
                    FROM claimed b
                    WHERE l.bet_id = b.id AND l.bet_id = ANY (ARRAY(SELECT id FROM claimed)) AND l.market_id = ?
                      AND l.result_revision IS DISTINCT FROM ?
                    RETURNING l.bet_id)
                SELECT b.id, b.id IN (SELECT bet_id FROM resulted) FROM claimed b ORDER BY b.id""";
    }

    /**
     * The batch's new outcomes, written together: the payouts in one statement (Wallet.creditPayouts: the accounts
     * locked in id order, one journal per payout) and the bets' new status with their {@code bet.settled} events in
     * one more, instead of three statements per bet.
     */
    private final class Settled {
        private final long marketId;
        private final int revision;
        private final long[] accounts;
        private final long[] payoutBets;
        private final long[] amounts;
        private final long[] seqs;
        private final long[] voids;
        private int payouts;
        private final long[] bets;
        private final long[] verdicts;
        private final long[] betPayouts;
        private final long[] betSeqs;
        private final long[] previousStatuses;
        private final long[] previousPayouts;
        private int settledBets;

        Settled(int size, long marketId, int revision) {
            this.marketId = marketId;
            this.revision = revision;
            accounts = new long[size];
            payoutBets = new long[size];
            amounts = new long[size];
            seqs = new long[size];
            voids = new long[size];
            bets = new long[size];
            verdicts = new long[size];
            betPayouts = new long[size];
            betSeqs = new long[size];
            previousStatuses = new long[size];
            previousPayouts = new long[size];
        }

        void payout(long accountId, long betId, long amount, int seq, boolean isVoid) {
            accounts[payouts] = accountId;
            payoutBets[payouts] = betId;
            amounts[payouts] = amount;
            seqs[payouts] = seq;
            voids[payouts] = isVoid ? 1 : 0;
            payouts++;
        }

        void bet(Claimed bet, Verdict verdict, long payout, int seq) {
            bets[settledBets] = bet.id();
            verdicts[settledBets] = verdict.ordinal();
            betPayouts[settledBets] = payout;
            betSeqs[settledBets] = seq;
            previousStatuses[settledBets] = BET_STATUSES.indexOf(bet.status());
            previousPayouts[settledBets] = bet.payout() == null ? -1 : bet.payout();
            settledBets++;
        }

        void write() {
            if (payouts > 0) {
                wallet.creditPayouts(Arrays.copyOf(accounts, payouts), Arrays.copyOf(payoutBets, payouts),
                        Arrays.copyOf(amounts, payouts), Arrays.copyOf(seqs, payouts), Arrays.copyOf(voids, payouts));
            }
            if (settledBets > 0) {
                long[] ids = Arrays.copyOf(bets, settledBets);
                jdbc.update(SETTLE_BETS, ids, Arrays.copyOf(verdicts, settledBets),
                        Arrays.copyOf(betPayouts, settledBets), Arrays.copyOf(betSeqs, settledBets),
                        Arrays.copyOf(previousStatuses, settledBets), Arrays.copyOf(previousPayouts, settledBets), ids,
                        guard.epoch(), marketId, revision);
            }
        }
    }

    /** The statuses a claimed bet can have, the elements of an SQL array (previous statuses by index + 1). */
    private static final List<String> BET_STATUSES = List.of("ACCEPTED", "WON", "LOST", "VOID");

    /**
     * The bets' new outcomes and their {@code bet.settled} events (docs/events.md) in one statement, the events in bet
     * id order. Parameters: ids, verdict ordinals, payouts, settlement sequences, previous statuses (indexes into
     * BET_STATUSES), previous payouts (-1: none), ids again, the epoch, market id, result revision.
     */
    private static final String SETTLE_BETS = """
            WITH u AS (
                SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
                              AS u(id, verdict, payout, seq, previous_status, previous_payout)),
            settled AS (
                UPDATE bet b SET status = (ARRAY[%s])[u.verdict + 1], payout = u.payout, settled_at = now(),
                                 settlement_seq = u.seq
                FROM u WHERE b.id = u.id AND b.id = ANY (?)
                RETURNING b.id, b.account_id, b.status, b.payout, b.settlement_seq)
            """.formatted(String.join(", ", Arrays.stream(Verdict.values()).map(v -> "'" + v.name() + "'").toList()))
            + Outbox.insert(Outbox.Type.BET_SETTLED, "s.id", """
                    jsonb_build_object('betId', s.id, 'accountId', s.account_id, 'status', s.status,
                                       'payout', s.payout, 'settlementSeq', s.settlement_seq,
                                       'previousStatus', (ARRAY[%s])[u.previous_status + 1],
                                       'previousPayout', nullif(u.previous_payout, -1),
                                       'marketId', ?::bigint, 'resultRevision', ?::integer)""".formatted(
                    String.join(", ", BET_STATUSES.stream().map(v -> "'" + v + "'").toList())),
                    "settled s JOIN u ON u.id = s.id ORDER BY s.id");

    /**
     * Applies a bet's outcome; true when a settled bet is open again (a reopening, written at once with the reversal of
     * its earlier payout: rare, a corrected result). A reversal is written at once too; a new outcome goes into
     * {@code settled}, written for the whole batch after it. An unsettled bet whose outcome is still open changes
     * nothing.
     */
    private boolean apply(Claimed bet, Outcome outcome, Settled settled) {
        boolean settledBefore = !bet.status().equals("ACCEPTED");
        if (settledBefore && bet.payout() != null && bet.payout() > 0) {
            wallet.reverse(bet.accountId(), bet.payout(), bet.id(), bet.seq(), "resettlement of bet " + bet.id());
        }
        if (outcome.verdict() == Verdict.OPEN) {
            if (settledBefore) {
                jdbc.update("UPDATE bet SET status = 'ACCEPTED', payout = NULL, settled_at = NULL WHERE id = ?", bet.id());
                return true;
            }
            return false;
        }
        int seq = bet.seq() + 1;
        if (outcome.payout() > 0) {
            settled.payout(bet.accountId(), bet.id(), outcome.payout(), seq, outcome.verdict() == Verdict.VOID);
        }
        settled.bet(bet, outcome.verdict(), outcome.payout(), seq);
        return false;
    }

    /** True when no bet on the market still waits for this revision (none skipped as locked either). */
    @Transactional
    @Fenced
    boolean finish(MarketResult result) {
        // the market's legs, each one's bet by its key (a scalar subquery): as a join, PostgreSQL hashed a scan of the
        // whole bet table (0.75 s on 1.9 million bets), as it did for the claim
        boolean left = jdbc.queryOne("""
                SELECT EXISTS (SELECT 1 FROM bet_leg l
                               WHERE l.market_id = ? AND l.result_revision IS DISTINCT FROM ?
                                 AND (SELECT b.status FROM bet b WHERE b.id = l.bet_id)
                                     IN ('ACCEPTED', 'WON', 'LOST', 'VOID'))""",
                rs -> rs.getBoolean(1), result.marketId(), result.revision()).orElseThrow();
        if (left) {
            return false;
        }
        Optional<String> from = jdbc.queryOne("SELECT status FROM market WHERE id = ? AND result_revision = ?",
                rs -> rs.getString(1), result.marketId(), result.revision());
        // a revision without a result settles nothing: the market stays as it is (CLOSED after a rollback, open or
        // suspended when only a cancel window came before any result)
        Optional<String> to = jdbc.queryOne("""
                UPDATE market SET settled_revision = ?,
                       status = CASE WHEN NOT ? THEN (CASE WHEN status IN ('SETTLED', 'VOID', 'SETTLEMENT_FAILED')
                                                          THEN 'CLOSED' ELSE status END)
                                     WHEN ? THEN 'VOID' ELSE 'SETTLED' END,
                       settlement_error = NULL, settlement_attempts = 0, settlement_retry_at = NULL, settled_at = now()
                WHERE id = ? AND result_revision = ? RETURNING status""",
                rs -> rs.getString(1), result.revision(), result.hasResult(), result.voidMarket(), result.marketId(),
                result.revision());
        if (to.isPresent() && !to.get().equals(from.orElse(null))) {
            outbox.record(Outbox.Type.MARKET_STATUS_CHANGED, result.marketId(), Outbox.payload("marketId",
                    result.marketId(), "from", from.orElse(null), "to", to.get(), "resultRevision", result.revision()));
        }
        return to.isPresent();
    }

    /** The calculation threw: flag the market with the reason and a time to try again. */
    @Transactional
    @Fenced
    void fail(long marketId, String reason, long retryAfterMillis) {
        String from = jdbc.queryOne("SELECT status FROM market WHERE id = ?", rs -> rs.getString(1), marketId)
                .orElse(null);
        if (!"SETTLEMENT_FAILED".equals(from)) {
            outbox.record(Outbox.Type.MARKET_STATUS_CHANGED, marketId, Outbox.payload("marketId", marketId,
                    "from", from, "to", "SETTLEMENT_FAILED", "reason", reason));
        }
        jdbc.update("""
                UPDATE market SET status = 'SETTLEMENT_FAILED', settlement_error = ?,
                       settlement_attempts = settlement_attempts + 1,
                       settlement_retry_at = now() + ? * interval '1 millisecond'
                WHERE id = ?""", reason, retryAfterMillis, marketId);
    }
}
