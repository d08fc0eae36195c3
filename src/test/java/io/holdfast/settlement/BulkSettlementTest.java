package io.holdfast.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A market with several batches' worth of open bets (singles, accumulators with a settled and with an open other leg,
 * a partly void selection), settled, then corrected (reversals, new payouts, a reopening), each time with one batch
 * failing in the middle and retried: every bet ends with the outcome of the latest revision, paid exactly once per
 * settlement, with one event per settlement and per journal, and every bettor's ledger equal to the balance.
 */
@QuarkusTest
class BulkSettlementTest {

    private static final int PER_BETTOR = 60;

    @Inject
    Results results;

    @AfterEach
    void heal() {
        FaultySettlementCalculator.FAIL_ONCE_AT.clear();
    }

    @Test
    void shouldSettleAndResettleManyBatchesExactlyOnceAcrossAFailedBatch() throws Exception {
        int batch = ConfigProvider.getConfig().getValue("holdfast.settlement.batch", Integer.class);
        // at least two and a half batches: the failure falls in the middle of the second
        int bettorCount = Math.max(10, (batch * 5 / 2) / PER_BETTOR + 1);
        List<Api.Bettor> bettors = new ArrayList<>();
        for (int i = 0; i < bettorCount; i++) {
            bettors.add(Api.bettor(100_000));
        }
        Api.Market a = Api.market("2.00", "3.00", "4.00");
        Api.Market b = Api.market("1.50", "2.50");
        Api.Market c = Api.market("2.50", "1.40");
        long home = a.selections().get(0);
        long away = a.selections().get(1);
        long partly = a.selections().get(2);
        // the accumulators' leg on b has won already: b is settled before the bets are written
        SettlementTest.result(b.id(), Map.of("winners", List.of(b.selections().get(0))));
        SettlementTest.awaitMarket(b.id(), "SETTLED", 1);
        int bets = seed(bettors, a, b, c);
        assertThat(bets).isGreaterThan(batch * 2);

        // revision 1: home wins, the third selection is half void; one batch fails halfway through
        FaultySettlementCalculator.FAIL_ONCE_AT.put(a.id(), new AtomicInteger(batch * 3 / 2));
        results.post("admin", a.id(), new long[] { home }, new long[0], false, null, new long[] { partly },
                new BigDecimal[] { new BigDecimal("0.5") });
        awaitSettled(a.id(), 1);
        assertThat(FaultySettlementCalculator.FAIL_ONCE_AT).as("the injected failure happened").isEmpty();
        checkBets(bettors, a.id(), 1);

        // revision 2: corrected, away wins; a batch fails again
        FaultySettlementCalculator.FAIL_ONCE_AT.put(a.id(), new AtomicInteger(batch * 3 / 2));
        results.post("admin", a.id(), new long[] { away }, new long[0], false, null, new long[] { partly },
                new BigDecimal[] { new BigDecimal("0.5") });
        awaitSettled(a.id(), 2);
        assertThat(FaultySettlementCalculator.FAIL_ONCE_AT).as("the injected failure happened").isEmpty();
        checkBets(bettors, a.id(), 2);
        assertThat(Db.longValue("SELECT count(*) FROM event_outbox WHERE type = 'market.status-changed' "
                + "AND aggregate_key = ? AND payload ->> 'to' = 'SETTLEMENT_FAILED'", Long.toString(a.id())))
                .as("each revision's failed batch flagged the market once").isEqualTo(2);
    }

    private static void awaitSettled(long marketId, int revision) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> Db.string(
                "SELECT status || '/' || settled_revision FROM market WHERE id = ?", marketId)
                .equals("SETTLED/" + revision));
    }

    /**
     * Writes PER_BETTOR open bets for each bettor straight into the database as placement would (bet, legs, stake
     * journal, balance), kind = k % 6: 0 single on home (2.00), 1 single on away (3.00), 2 single on the partly void
     * selection (4.00), 3 home and b's winner (1.50), 4 home and an open leg on c (2.50), 5 away and the open leg on c.
     */
    private static int seed(List<Api.Bettor> bettors, Api.Market a, Api.Market b, Api.Market c) {
        long[] ids = bettors.stream().mapToLong(Api.Bettor::id).toArray();
        Long[] boxed = bettors.stream().map(Api.Bettor::id).toArray(Long[]::new);
        long epoch = Db.longValue("SELECT epoch FROM cluster_lease WHERE id = 1");
        try (Connection conn = Db.connect(); PreparedStatement ps = conn.prepareStatement("""
                WITH src AS (
                    SELECT acc, k, k % 6 AS kind, 100 + (k % 7) * 10 AS stake,
                           (ARRAY[2.00, 3.00, 4.00, 3.00, 5.00, 7.50])[k % 6 + 1] AS odds
                    FROM unnest(?::bigint[]) AS acc, generate_series(0, ? - 1) AS k),
                ins AS (
                    INSERT INTO bet (account_id, request_id, request_hash, status, stake, odds, odds_change,
                                     potential_payout, epoch)
                    SELECT acc, 'bulk-' || k, 'bulk', 'ACCEPTED', stake, odds, 'ANY', floor(stake * odds), ?
                    FROM src ORDER BY acc, k
                    RETURNING id, account_id, request_id),
                bets AS (
                    SELECT i.id, s.acc, s.kind, s.stake FROM ins i JOIN src s ON s.acc = i.account_id
                                                                    AND i.request_id = 'bulk-' || s.k),
                first_legs AS (
                    INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version)
                    SELECT id, 1, (ARRAY[?, ?, ?, ?, ?, ?]::bigint[])[kind + 1], ?, ?,
                           (ARRAY[2.00, 3.00, 4.00, 2.00, 2.00, 3.00])[kind + 1], 1
                    FROM bets),
                second_legs AS (
                    INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version, result,
                                         result_revision)
                    SELECT id, 2, CASE WHEN kind = 3 THEN ? ELSE ? END, CASE WHEN kind = 3 THEN ? ELSE ? END,
                           CASE WHEN kind = 3 THEN ? ELSE ? END, CASE WHEN kind = 3 THEN 1.50 ELSE 2.50 END, 1,
                           CASE WHEN kind = 3 THEN 'WON' END, CASE WHEN kind = 3 THEN 1 END
                    FROM bets WHERE kind >= 3),
                journals AS (
                    SELECT bets.*, nextval('journal_seq') AS journal_id,
                           a.balance - sum(bets.stake) OVER (PARTITION BY bets.acc ORDER BY bets.id) AS balance_after
                    FROM bets JOIN account a ON a.id = bets.acc),
                stakes AS (
                    INSERT INTO ledger_entry (journal_id, book, account_id, type, amount, balance_after, reference,
                                              bet_id, epoch)
                    SELECT j.journal_id, v.book, v.acc, 'STAKE', v.amount, v.bal, 'stake bet ' || j.id, j.id, ?
                    FROM journals j, LATERAL (VALUES ('PLAYER', j.acc, -j.stake, j.balance_after),
                                                     ('HOUSE_BETS', NULL::bigint, j.stake, NULL::bigint))
                                             AS v(book, acc, amount, bal)),
                debits AS (
                    UPDATE account a SET balance = a.balance - t.total
                    FROM (SELECT acc, sum(stake) AS total FROM bets GROUP BY acc) t WHERE a.id = t.acc)
                SELECT count(*) FROM bets""")) {
            long home = a.selections().get(0);
            long away = a.selections().get(1);
            long partly = a.selections().get(2);
            Object[] params = { conn.createArrayOf("bigint", boxed), PER_BETTOR, epoch, home, away, partly, home, home,
                    away, a.id(), a.eventId(), b.selections().get(0), c.selections().get(0), b.id(), c.id(),
                    b.eventId(), c.eventId(), epoch };
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo((long) ids.length * PER_BETTOR);
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a bet of this kind and stake is at this revision: status, payout (null: open) and settlement sequence. */
    private static Object[] expected(int kind, long stake, int revision) {
        boolean homeWon = revision == 1;
        return switch (kind) {
            case 0 -> homeWon ? new Object[] { "WON", stake * 2, 1 } : new Object[] { "LOST", 0L, 2 };
            case 1 -> homeWon ? new Object[] { "LOST", 0L, 1 } : new Object[] { "WON", stake * 3, 2 };
            // half the stake refunded at 1.00, the other half lost: a payout of half the stake
            case 2 -> new Object[] { "WON", stake / 2, revision };
            case 3 -> homeWon ? new Object[] { "WON", stake * 3, 1 } : new Object[] { "LOST", 0L, 2 };
            // home lost: the accumulator is lost without waiting for its open leg
            case 4 -> homeWon ? new Object[] { "ACCEPTED", null, 0 } : new Object[] { "LOST", 0L, 1 };
            // away won: lost at revision 1, open again at revision 2 (its other leg is open)
            case 5 -> homeWon ? new Object[] { "LOST", 0L, 1 } : new Object[] { "ACCEPTED", null, 1 };
            default -> throw new IllegalArgumentException("kind " + kind);
        };
    }

    private static void checkBets(List<Api.Bettor> bettors, long marketId, int revision) throws SQLException {
        Long[] ids = bettors.stream().map(Api.Bettor::id).toArray(Long[]::new);
        Map<Long, Long> paid = new HashMap<>();
        int checked = 0;
        try (Connection conn = Db.connect()) {
            var array = conn.createArrayOf("bigint", ids);
            try (PreparedStatement ps = conn.prepareStatement("""
                    SELECT b.id, b.account_id, substr(b.request_id, 6)::int % 6, b.stake, b.status, b.payout,
                           b.settlement_seq,
                           (SELECT coalesce(sum(e.amount), 0) FROM ledger_entry e
                            WHERE e.bet_id = b.id AND e.book = 'PLAYER' AND e.type IN ('PAYOUT', 'REVERSAL')),
                           (SELECT count(*) FROM ledger_entry e WHERE e.bet_id = b.id AND e.book = 'PLAYER'
                                                                  AND e.type = 'PAYOUT'),
                           (SELECT count(*) FROM event_outbox o WHERE o.type = 'bet.settled'
                                                                  AND o.aggregate_key = b.id::text),
                           (SELECT count(DISTINCT o.payload ->> 'settlementSeq') FROM event_outbox o
                            WHERE o.type = 'bet.settled' AND o.aggregate_key = b.id::text),
                           (SELECT count(*) FROM event_outbox o WHERE o.type = 'bet.reopened'
                                                                  AND o.aggregate_key = b.id::text),
                           (SELECT o.payload ->> 'payout' FROM event_outbox o WHERE o.aggregate_key = b.id::text
                                AND o.type IN ('bet.settled', 'bet.reopened') ORDER BY o.id DESC LIMIT 1)
                    FROM bet b WHERE b.account_id = ANY (?) AND b.request_id LIKE 'bulk-%'""")) {
                ps.setArray(1, array);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        int kind = rs.getInt(3);
                        long stake = rs.getLong(4);
                        Object[] want = expected(kind, stake, revision);
                        Long payout = rs.getObject(6) == null ? null : rs.getLong(6);
                        String what = "bet " + id + " (kind " + kind + ") at revision " + revision;
                        assertThat(rs.getString(5)).as(what + ": status").isEqualTo(want[0]);
                        assertThat(payout).as(what + ": payout").isEqualTo(want[1]);
                        assertThat(rs.getInt(7)).as(what + ": settlement sequence").isEqualTo(want[2]);
                        long net = payout == null ? 0 : payout;
                        assertThat(rs.getLong(8)).as(what + ": payouts less reversals in the ledger").isEqualTo(net);
                        // one PAYOUT per paid settlement (the earlier ones reversed, never paid twice)
                        int seq = (Integer) want[2];
                        assertThat(rs.getLong(9)).as(what + ": PAYOUT rows").isLessThanOrEqualTo(seq);
                        // one bet.settled per settlement, one bet.reopened per reopening
                        long settledEvents = rs.getLong(10);
                        assertThat(rs.getLong(11)).as(what + ": one bet.settled per settlement sequence")
                                .isEqualTo(settledEvents);
                        assertThat(settledEvents).as(what + ": bet.settled events").isEqualTo(seq);
                        assertThat(rs.getLong(12)).as(what + ": bet.reopened events")
                                .isEqualTo(kind == 5 && revision == 2 ? 1 : 0);
                        if (seq > 0) {
                            assertThat(rs.getString(13)).as(what + ": the last event's payout")
                                    .isEqualTo(payout == null ? null : payout.toString());
                        }
                        paid.merge(rs.getLong(2), net, Long::sum);
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(bettors.size() * PER_BETTOR);
        for (Api.Bettor bettor : bettors) {
            long staked = Db.longValue("SELECT -coalesce(sum(amount), 0) FROM ledger_entry WHERE account_id = ? "
                    + "AND type = 'STAKE'", bettor.id());
            assertThat(Db.storedBalance(bettor.id())).as("balance of bettor " + bettor.id())
                    .isEqualTo(100_000 - staked + paid.get(bettor.id()));
            assertThat(Db.ledgerSum(bettor.id())).isEqualTo(Db.storedBalance(bettor.id()));
        }
        // every journal of these bets balanced, and each with exactly one wallet.journal event
        assertThat(Db.longValue("""
                SELECT count(*) FROM (SELECT e.journal_id FROM ledger_entry e
                                      WHERE e.journal_id IN (SELECT journal_id FROM ledger_entry x JOIN bet_leg l
                                                             ON l.bet_id = x.bet_id AND l.market_id = ?)
                                      GROUP BY e.journal_id HAVING sum(e.amount) <> 0 OR count(*) <> 2) j""", marketId))
                .isZero();
        // one pass over the outbox, joined by hash (a subquery per journal read the whole outbox each time: in the
        // full suite, with every other test's events in it, that ran for over ten minutes)
        assertThat(Db.longValue("""
                WITH journals AS (
                    SELECT e.account_id::text AS account, e.journal_id
                    FROM ledger_entry e JOIN bet_leg l ON l.bet_id = e.bet_id AND l.market_id = ?
                    WHERE e.book = 'PLAYER' AND e.type IN ('PAYOUT', 'REVERSAL')),
                events AS (
                    SELECT o.aggregate_key AS account, (o.payload ->> 'journalId')::bigint AS journal_id, count(*) AS n
                    FROM event_outbox o
                    WHERE o.type = 'wallet.journal' AND o.aggregate_key IN (SELECT account FROM journals)
                    GROUP BY 1, 2)
                SELECT count(*) FROM journals j LEFT JOIN events v ON v.account = j.account AND v.journal_id = j.journal_id
                WHERE coalesce(v.n, 0) <> 1""",
                marketId)).as("payout and reversal journals without exactly one wallet.journal event").isZero();
    }
}
