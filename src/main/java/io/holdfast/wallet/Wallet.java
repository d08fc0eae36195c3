package io.holdfast.wallet;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.cluster.WriteGuard;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ProblemException;

/**
 * The double-entry ledger and the balance beside it, changed in one transaction. Every movement is a
 * journal of a player row (which moves {@code account.balance}) and a house row of the opposite sign.
 * Debits are one conditional UPDATE: no read-modify-write of a balance in Java, and {@code balance >= 0}
 * holds as a database constraint.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class Wallet {

    /** Result of a deposit: the balance after it, and whether this call credited (false: a repeat). */
    public record Deposit(long balance, boolean credited) {
    }

    private static final String POST_JOURNAL = """
            WITH j AS (SELECT nextval('journal_seq') AS id)
            INSERT INTO ledger_entry (journal_id, book, account_id, type, amount, balance_after, reference,
                                      request_id, bet_id, settlement_seq, epoch)
            SELECT j.id, v.book, v.account_id, ?, v.amount, v.balance_after, ?, ?, ?, ?, ?
            FROM j, (VALUES ('PLAYER', ?::bigint, ?::bigint, ?::bigint),
                            (?, NULL::bigint, ?::bigint, NULL::bigint)) AS v(book, account_id, amount, balance_after)
            """;

    private final Jdbc jdbc;
    private final HoldfastConfig config;
    private final WriteGuard guard;

    Wallet(Jdbc jdbc, HoldfastConfig config, WriteGuard guard) {
        this.jdbc = jdbc;
        this.config = config;
        this.guard = guard;
    }

    /** Idempotent by {@code requestId}: a repeat credits nothing and answers the current balance. */
    @Fenced
    @Transactional(Transactional.TxType.REQUIRED)
    public Deposit deposit(long accountId, String requestId, long amount) {
        long epoch = guard.epoch();
        if (amount <= 0 || amount > config.limits().maxDeposit()) {
            throw ProblemException.unprocessable("VALIDATION_FAILED",
                    "amount must be between 1 and " + config.limits().maxDeposit());
        }
        var inserted = jdbc.queryOne("""
                INSERT INTO ledger_entry (journal_id, book, account_id, type, amount, reference, request_id, epoch)
                VALUES (nextval('journal_seq'), 'PLAYER', ?, 'DEPOSIT', ?, ?, ?, ?)
                ON CONFLICT (account_id, request_id) WHERE type = 'DEPOSIT' AND book = 'PLAYER' DO NOTHING
                RETURNING id, journal_id""", rs -> new long[] { rs.getLong(1), rs.getLong(2) },
                accountId, amount, "deposit " + requestId, requestId, epoch);
        if (inserted.isEmpty()) {
            long earlier = jdbc.queryOne("SELECT amount FROM ledger_entry WHERE account_id = ? AND request_id = ? "
                    + "AND type = 'DEPOSIT' AND book = 'PLAYER'", rs -> rs.getLong(1), accountId, requestId).orElseThrow();
            if (earlier != amount) {
                throw ProblemException.conflict("DUPLICATE_REQUEST_MISMATCH",
                        "requestId " + requestId + " was already used for a deposit of " + earlier);
            }
            return new Deposit(balance(accountId), false);
        }
        long balance = jdbc.queryOne("UPDATE account SET balance = balance + ? WHERE id = ? RETURNING balance",
                rs -> rs.getLong(1), amount, accountId).orElseThrow(() -> ProblemException.notFound("Account"));
        jdbc.update("UPDATE ledger_entry SET balance_after = ? WHERE id = ?", balance, inserted.get()[0]);
        jdbc.update("INSERT INTO ledger_entry (journal_id, book, type, amount, reference, request_id, epoch) "
                + "VALUES (?, 'HOUSE_CASH', 'DEPOSIT', ?, ?, ?, ?)",
                inserted.get()[1], -amount, "deposit " + requestId, requestId, epoch);
        return new Deposit(balance, true);
    }

    /**
     * The stake debit as CTEs, for the placement to run in its own single statement (docs/ARCHITECTURE.md §5:
     * one short transaction, no read-modify-write of a balance in Java). It expects an earlier CTE
     * {@code new_bet(id)}; {@code debit} is empty when the account may not stake this much (status, funds,
     * daily stake limit), and then the journal is not written. Parameters, in order: stake, stake, stake,
     * accountId, stake, stake, epoch, accountId, stake, stake.
     */
    public static final String STAKE_DEBIT_CTES = """
            debit AS (
                UPDATE account SET balance = balance - ?,
                       staked_today = CASE WHEN staked_day = (now() AT TIME ZONE 'UTC')::date
                                           THEN staked_today + ? ELSE ? END,
                       staked_day = (now() AT TIME ZONE 'UTC')::date
                WHERE id = ? AND status = 'ACTIVE' AND balance >= ?
                  AND (daily_stake_limit IS NULL OR daily_stake_limit >= ? +
                       CASE WHEN staked_day = (now() AT TIME ZONE 'UTC')::date THEN staked_today ELSE 0 END)
                  AND EXISTS (SELECT 1 FROM new_bet)
                RETURNING balance),
            stake_journal AS (SELECT nextval('journal_seq') AS id FROM debit),
            stake_entries AS (
                INSERT INTO ledger_entry (journal_id, book, account_id, type, amount, balance_after, reference,
                                          bet_id, epoch)
                SELECT stake_journal.id, v.book, v.account_id, 'STAKE', v.amount,
                       CASE WHEN v.book = 'PLAYER' THEN debit.balance END, 'stake bet ' || new_bet.id, new_bet.id, ?
                FROM new_bet, debit, stake_journal,
                     (VALUES ('PLAYER', ?::bigint, -?::bigint), ('HOUSE_BETS', NULL::bigint, ?::bigint))
                         AS v(book, account_id, amount))""";

    public static Object[] stakeDebitParams(long accountId, long stake, long epoch) {
        return new Object[] { stake, stake, stake, accountId, stake, stake, epoch, accountId, stake, stake };
    }

    /** Credits a payout, refund or re-credit; a PAYOUT is unique per bet and settlement sequence. */
    public long credit(long accountId, LedgerType type, long amount, long betId, Integer settlementSeq,
            String reference) {
        long balance = jdbc.queryOne("UPDATE account SET balance = balance + ? WHERE id = ? RETURNING balance",
                rs -> rs.getLong(1), amount, accountId).orElseThrow();
        postJournal(type, accountId, amount, balance, "HOUSE_BETS", reference, betId, settlementSeq);
        return balance;
    }

    /**
     * Takes back an earlier payout on resettlement. It never takes a balance below zero: what the balance
     * cannot cover is recorded as a shortfall for a trader. Returns the amount actually taken.
     */
    public long reverse(long accountId, long amount, long betId, Integer settlementSeq, String reference) {
        long taken = jdbc.queryOne("""
                WITH cur AS (SELECT id, balance FROM account WHERE id = ? FOR UPDATE)
                UPDATE account a SET balance = a.balance - LEAST(cur.balance, ?) FROM cur WHERE a.id = cur.id
                RETURNING LEAST(cur.balance, ?), a.balance""",
                rs -> new long[] { rs.getLong(1), rs.getLong(2) }, accountId, amount, amount)
                .map(r -> {
                    postJournal(LedgerType.REVERSAL, accountId, -r[0], r[1], "HOUSE_BETS", reference, betId,
                            settlementSeq);
                    return r[0];
                }).orElseThrow();
        if (taken < amount) {
            jdbc.update("INSERT INTO settlement_shortfall (account_id, bet_id, amount) VALUES (?, ?, ?)",
                    accountId, betId, amount - taken);
        }
        return taken;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public long balance(long accountId) {
        return jdbc.queryOne("SELECT balance FROM account WHERE id = ?", rs -> rs.getLong(1), accountId)
                .orElseThrow(() -> ProblemException.notFound("Account"));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Transaction> transactions(long accountId, int limit) {
        return jdbc.query("""
                SELECT id, type, amount, balance_after, reference, at FROM ledger_entry
                WHERE account_id = ? ORDER BY id DESC LIMIT ?""",
                rs -> new Transaction(rs.getLong("id"), LedgerType.valueOf(rs.getString("type")),
                        rs.getLong("amount"), rs.getLong("balance_after"), rs.getString("reference"),
                        Jdbc.instant(rs, "at")),
                accountId, limit);
    }

    private void postJournal(LedgerType type, long accountId, long playerAmount, long balanceAfter, String houseBook,
            String reference, long betId, Integer settlementSeq) {
        jdbc.update(POST_JOURNAL, type.name(), reference, null, betId, settlementSeq, guard.epoch(),
                accountId, playerAmount, balanceAfter, houseBook, -playerAmount);
    }

    /** Why a stake debit matched no row: blocked, self-excluded, short of funds, or over the daily limit. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public ProblemException refusal(long accountId, long stake) {
        var row = jdbc.queryOne("SELECT status, balance, daily_stake_limit, CASE WHEN staked_day = "
                + "(now() AT TIME ZONE 'UTC')::date THEN staked_today ELSE 0 END FROM account WHERE id = ?",
                rs -> new Object[] { rs.getString(1), rs.getLong(2), Jdbc.nullableLong(rs, "daily_stake_limit"),
                        rs.getLong(4) },
                accountId).orElseThrow(() -> ProblemException.notFound("Account"));
        String status = (String) row[0];
        if (status.equals("BLOCKED")) {
            return ProblemException.forbidden("ACCOUNT_BLOCKED", "This account is blocked");
        }
        if (status.equals("SELF_EXCLUDED")) {
            return ProblemException.forbidden("SELF_EXCLUDED", "This account is self-excluded");
        }
        if ((long) row[1] < stake) {
            return ProblemException.unprocessable("INSUFFICIENT_FUNDS",
                    "The balance " + row[1] + " does not cover the stake " + stake);
        }
        return ProblemException.unprocessable("LIMIT_EXCEEDED",
                "The stake would pass the daily stake limit " + row[2] + " (staked today: " + row[3] + ")");
    }
}
