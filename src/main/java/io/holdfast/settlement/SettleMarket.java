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
    private final int batch;
    private final Outbox outbox;

    SettleMarket(Jdbc jdbc, Wallet wallet, GuardedCalculation calculation, HoldfastConfig config, Outbox outbox) {
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.wallet = wallet;
        this.calculation = calculation;
        this.batch = config.settlement().batch();
    }

    /** What one batch did: how many bets it claimed, and the highest bet id among them (the next batch starts after it). */
    record Batch(int bets, long lastId) {
    }

    /**
     * Settles one batch of the bets after {@code afterId} (bet ids in order: a batch never scans again the legs the
     * batches before it settled, nor the bets before them, so the market's settlement stays linear in its bets; the
     * bound is on both sides of the semi-join, as PostgreSQL does not carry it from one to the other. Measured on
     * 100 000 open bets, halfway through: 0.7 ms for the claim instead of 27 ms). A bet skipped because another
     * transaction holds it is left for the next pass ({@link #finish} then answers false).
     */
    @Transactional
    @Fenced
    Batch settleBatch(MarketResult result, long afterId) {
        long marketId = result.marketId();
        Map<Long, Claimed> bets = new LinkedHashMap<>();
        jdbc.query("""
                SELECT id, account_id, stake, status, payout, settlement_seq FROM bet
                WHERE id > ? AND id IN (SELECT bet_id FROM bet_leg WHERE market_id = ? AND bet_id > ?
                                                                    AND result_revision IS DISTINCT FROM ?)
                  AND status IN ('ACCEPTED', 'WON', 'LOST', 'VOID')
                ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED""",
                rs -> bets.put(rs.getLong(1), new Claimed(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                        Jdbc.nullableLong(rs, "payout"), rs.getInt(6), new ArrayList<>(), new ArrayList<>())),
                afterId, marketId, afterId, result.revision(), batch);
        if (bets.isEmpty()) {
            return new Batch(0, afterId);
        }
        long[] ids = bets.keySet().stream().mapToLong(Long::longValue).toArray();
        // this market's legs take the new result; the other legs keep theirs. A bet placed at or after the
        // moment the market really closed (closedAt), or inside a cancel window (the feed's bet_cancel), is void on
        // it: a late bet is never paid. A revision without a result (a rollback) leaves the other legs open again.
        // The bets are named on both sides of the join: with the legs' side only, PostgreSQL hashed a sequential scan
        // of the whole bet table for every batch (37 ms of a 500-bet batch with 100 000 bets in the table; 9 ms so).
        jdbc.update("""
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
                FROM bet b
                WHERE b.id = l.bet_id AND l.market_id = ? AND l.bet_id = ANY (?) AND b.id = ANY (?)""",
                result.hasResult(), result.voidMarket(), result.voids(), result.closedAt(), result.winners(),
                result.partialSelections(), MarketResult.asDoubles(result.partialFactors()), result.revision(), marketId, ids,
                ids);
        jdbc.query("SELECT bet_id, odds, result, void_factor FROM bet_leg WHERE bet_id = ANY (?) ORDER BY bet_id, leg_no",
                rs -> bets.get(rs.getLong(1)).legs().add(new LegResult(Jdbc.odds(rs, "odds"), rs.getString(3),
                        rs.getBigDecimal(4))),
                (Object) ids);
        // accounts in id order, the order the pending-bet completer uses too: two transactions that credit the
        // same accounts wait for each other instead of deadlocking (40P01)
        List<Claimed> byAccount = new ArrayList<>(bets.values());
        byAccount.sort(Comparator.comparingLong(Claimed::accountId).thenComparingLong(Claimed::id));
        List<Outcome> outcomes = calculation.outcomes(marketId,
                byAccount.stream().map(bet -> new GuardedCalculation.Slip(bet.stake(), bet.legs())).toList());
        List<Long> moved = new ArrayList<>();
        for (int i = 0; i < byAccount.size(); i++) {
            Claimed bet = byAccount.get(i);
            Outcome outcome = outcomes.get(i);
            boolean reversal = !bet.status().equals("ACCEPTED") && bet.payout() != null && bet.payout() > 0;
            if (reversal || (outcome.verdict() != Verdict.OPEN && outcome.payout() > 0)) {
                moved.add(bet.accountId());
            }
        }
        // every account whose balance this batch moves, locked at once in id order (byAccount is in that order)
        if (!moved.isEmpty()) {
            jdbc.query("SELECT id FROM account WHERE id = ANY (?) ORDER BY id FOR UPDATE", rs -> null,
                    (Object) moved.stream().mapToLong(Long::longValue).distinct().toArray());
        }
        List<Outbox.Event> events = new ArrayList<>();
        Settled settled = new Settled(byAccount.size());
        for (int i = 0; i < byAccount.size(); i++) {
            Claimed bet = byAccount.get(i);
            Outcome outcome = outcomes.get(i);
            apply(bet, outcome, settled).ifPresent(status -> events.add(new Outbox.Event(
                    status.equals("ACCEPTED") ? Outbox.Type.BET_REOPENED : Outbox.Type.BET_SETTLED, bet.id(),
                    Outbox.payload("betId", bet.id(), "accountId", bet.accountId(), "status", status,
                            "payout", status.equals("ACCEPTED") ? null : outcome.payout(),
                            "settlementSeq", status.equals("ACCEPTED") ? bet.seq() : bet.seq() + 1,
                            "previousStatus", bet.status(), "previousPayout", bet.payout(),
                            "marketId", marketId, "resultRevision", result.revision()))));
        }
        settled.write();
        // the bets' events in id order, after their ledger journals (each of which has its own event)
        events.sort(Comparator.comparingLong(Outbox.Event::key));
        outbox.recordAll(events);
        return new Batch(bets.size(), ids[ids.length - 1]);
    }

    /**
     * The batch's new outcomes, written together: the payouts in one statement (Wallet.creditPayouts: the accounts
     * locked in id order, one journal per payout) and the bets' new status in one more, instead of three
     * statements per bet.
     */
    private final class Settled {
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
        private int settledBets;

        Settled(int size) {
            accounts = new long[size];
            payoutBets = new long[size];
            amounts = new long[size];
            seqs = new long[size];
            voids = new long[size];
            bets = new long[size];
            verdicts = new long[size];
            betPayouts = new long[size];
            betSeqs = new long[size];
        }

        void payout(long accountId, long betId, long amount, int seq, boolean isVoid) {
            accounts[payouts] = accountId;
            payoutBets[payouts] = betId;
            amounts[payouts] = amount;
            seqs[payouts] = seq;
            voids[payouts] = isVoid ? 1 : 0;
            payouts++;
        }

        void bet(long betId, Verdict verdict, long payout, int seq) {
            bets[settledBets] = betId;
            verdicts[settledBets] = verdict.ordinal();
            betPayouts[settledBets] = payout;
            betSeqs[settledBets] = seq;
            settledBets++;
        }

        void write() {
            if (payouts > 0) {
                wallet.creditPayouts(Arrays.copyOf(accounts, payouts), Arrays.copyOf(payoutBets, payouts),
                        Arrays.copyOf(amounts, payouts), Arrays.copyOf(seqs, payouts), Arrays.copyOf(voids, payouts));
            }
            if (settledBets > 0) {
                jdbc.update("""
                        UPDATE bet b SET status = (ARRAY[""" + VERDICT_NAMES + """
                        ])[u.verdict + 1], payout = u.payout, settled_at = now(), settlement_seq = u.seq
                        FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) AS u(id, verdict, payout, seq)
                        WHERE b.id = u.id""", Arrays.copyOf(bets, settledBets),
                        Arrays.copyOf(verdicts, settledBets), Arrays.copyOf(betPayouts, settledBets),
                        Arrays.copyOf(betSeqs, settledBets));
            }
        }
    }

    /** Verdict names by ordinal, the elements of an SQL array (the bulk update indexes it by ordinal + 1). */
    private static final String VERDICT_NAMES = String.join(", ",
            Arrays.stream(Verdict.values()).map(v -> "'" + v.name() + "'").toList());

    /**
     * The bet's new status, or empty when nothing changed (an unsettled bet whose outcome is still open). A reversal
     * of an earlier payout and a reopening are written at once (rare: a corrected result); a new outcome goes into
     * {@code settled}, written for the whole batch after it.
     */
    private Optional<String> apply(Claimed bet, Outcome outcome, Settled settled) {
        boolean settledBefore = !bet.status().equals("ACCEPTED");
        if (settledBefore && bet.payout() != null && bet.payout() > 0) {
            wallet.reverse(bet.accountId(), bet.payout(), bet.id(), bet.seq(), "resettlement of bet " + bet.id());
        }
        if (outcome.verdict() == Verdict.OPEN) {
            if (settledBefore) {
                jdbc.update("UPDATE bet SET status = 'ACCEPTED', payout = NULL, settled_at = NULL WHERE id = ?", bet.id());
                return Optional.of("ACCEPTED");
            }
            return Optional.empty();
        }
        int seq = bet.seq() + 1;
        if (outcome.payout() > 0) {
            settled.payout(bet.accountId(), bet.id(), outcome.payout(), seq, outcome.verdict() == Verdict.VOID);
        }
        settled.bet(bet.id(), outcome.verdict(), outcome.payout(), seq);
        return Optional.of(outcome.verdict().name());
    }

    /** True when no bet on the market still waits for this revision (none skipped as locked either). */
    @Transactional
    @Fenced
    boolean finish(MarketResult result) {
        long left = jdbc.queryOne("""
                SELECT count(*) FROM bet_leg l JOIN bet b ON b.id = l.bet_id
                WHERE l.market_id = ? AND l.result_revision IS DISTINCT FROM ?
                  AND b.status IN ('ACCEPTED', 'WON', 'LOST', 'VOID')""",
                rs -> rs.getLong(1), result.marketId(), result.revision()).orElseThrow();
        if (left > 0) {
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
