package io.holdfast.wallet;

import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.cluster.WriteGuard;
import io.holdfast.events.Outbox;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;

/**
 * The double-entry ledger and the balance beside it, changed in one transaction. Every movement is a
 * journal of a player row (which moves {@code account.balance}) and a house row of the opposite sign.
 * Debits are one conditional UPDATE: no read-modify-write of a balance in Java, and {@code balance >= 0}
 * holds as a database constraint.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
@ModuleApi
public class Wallet {

    /** Result of a deposit: the balance after it, and whether this call credited (false: a repeat). */
    public record Deposit(long balance, boolean credited) {
    }

    /** The journal's event (docs/events.md, wallet.journal) from the player row of {@code entries}. */
    private static final String JOURNAL_EVENT = Outbox.insert(Outbox.Type.LEDGER_JOURNAL, "e.account_id", """
            jsonb_build_object('journalId', e.journal_id, 'accountId', e.account_id, 'type', e.type,
                               'amount', e.amount, 'balanceAfter', e.balance_after, 'reference', e.reference,
                               'requestId', e.request_id, 'betId', e.bet_id, 'settlementSeq', e.settlement_seq)""",
            "entries e WHERE e.book = 'PLAYER'");

    /**
     * A journal and its event in one statement. Parameters: type, reference, requestId, betId, settlementSeq, epoch,
     * accountId, player amount, balance after, house book, house amount, epoch (the event's).
     */
    private static final String POST_JOURNAL = """
            WITH j AS (SELECT nextval('journal_seq') AS id),
            entries AS (
                INSERT INTO ledger_entry (journal_id, book, account_id, type, amount, balance_after, reference,
                                          request_id, bet_id, settlement_seq, epoch)
                SELECT j.id, v.book, v.account_id, ?, v.amount, v.balance_after, ?, ?, ?, ?, ?
                FROM j, (VALUES ('PLAYER', ?::bigint, ?::bigint, ?::bigint),
                                (?, NULL::bigint, ?::bigint, NULL::bigint)) AS v(book, account_id, amount, balance_after)
                RETURNING journal_id, book, account_id, type, amount, balance_after, reference, request_id, bet_id,
                          settlement_seq)
            """ + JOURNAL_EVENT;

    private final Jdbc jdbc;
    private final HoldfastConfig config;
    private final WriteGuard guard;
    private final Limits limits;

    Wallet(Jdbc jdbc, HoldfastConfig config, WriteGuard guard, Limits limits) {
        this.limits = limits;
        this.jdbc = jdbc;
        this.config = config;
        this.guard = guard;
    }

    /**
     * Idempotent by {@code requestId}: a repeat credits nothing and answers the current balance. Refused while
     * the account is blocked, self-excluded or timed out, and over a deposit limit (409 LIMIT_EXCEEDED). The
     * account row is taken FOR UPDATE first, so two deposits of one account cannot both fit under a limit
     * that holds only one of them, and a concurrent repeat finds the first one's journal.
     */
    @Fenced
    @Transactional(Transactional.TxType.REQUIRED)
    public Deposit deposit(long accountId, String requestId, long amount) {
        long epoch = guard.epoch();
        if (amount <= 0 || amount > config.limits().maxDeposit()) {
            throw ProblemException.unprocessable("VALIDATION_FAILED",
                    "amount must be between 1 and " + config.limits().maxDeposit());
        }
        limits.applyDue(accountId);
        Standing standing = lockAccount(accountId);
        var earlier = earlier(accountId, requestId, LedgerType.DEPOSIT);
        if (earlier.isPresent()) {
            if (earlier.get() != amount) {
                throw ProblemException.conflict("DUPLICATE_REQUEST_MISMATCH",
                        "requestId " + requestId + " was already used for a deposit of " + earlier.get());
            }
            return new Deposit(balance(accountId), false);
        }
        standing.check();
        checkDepositLimits(accountId, amount);
        long balance = jdbc.queryOne("UPDATE account SET balance = balance + ? WHERE id = ? RETURNING balance",
                rs -> rs.getLong(1), amount, accountId).orElseThrow(() -> ProblemException.notFound("Account"));
        jdbc.update(POST_JOURNAL, LedgerType.DEPOSIT.name(), "deposit " + requestId, requestId, null, null, epoch,
                accountId, amount, balance, "HOUSE_CASH", -amount, epoch);
        return new Deposit(balance, true);
    }

    /**
     * Pays money out: idempotent by {@code requestId} like deposits, never below zero (409 INSUFFICIENT_FUNDS),
     * refused while the account is blocked (409 ACCOUNT_BLOCKED) but not while it is self-excluded or timed
     * out: a bettor who stepped away must still be able to take their money.
     */
    @Fenced
    @Transactional(Transactional.TxType.REQUIRED)
    public Deposit withdraw(long accountId, String requestId, long amount) {
        long epoch = guard.epoch();
        if (amount <= 0) {
            throw ProblemException.unprocessable("VALIDATION_FAILED", "amount must be positive");
        }
        Standing standing = lockAccount(accountId);
        var earlier = earlier(accountId, requestId, LedgerType.WITHDRAWAL);
        if (earlier.isPresent()) {
            if (earlier.get() != -amount) {
                throw ProblemException.conflict("DUPLICATE_REQUEST_MISMATCH",
                        "requestId " + requestId + " was already used for a withdrawal of " + -earlier.get());
            }
            return new Deposit(balance(accountId), false);
        }
        if (standing.status().equals("BLOCKED")) {
            throw ProblemException.conflict("ACCOUNT_BLOCKED", "This account is blocked");
        }
        long balance = jdbc.queryOne("UPDATE account SET balance = balance - ? WHERE id = ? AND balance >= ? "
                + "RETURNING balance", rs -> rs.getLong(1), amount, accountId, amount)
                .orElseThrow(() -> ProblemException.conflict("INSUFFICIENT_FUNDS",
                        "The balance " + balance(accountId) + " does not cover a withdrawal of " + amount));
        jdbc.update(POST_JOURNAL, LedgerType.WITHDRAWAL.name(), "withdrawal " + requestId, requestId, null, null, epoch,
                accountId, -amount, balance, "HOUSE_CASH", amount, epoch);
        return new Deposit(balance, true);
    }

    private Standing lockAccount(long accountId) {
        return jdbc.queryOne("SELECT " + Standing.COLUMNS + " FROM account WHERE id = ? FOR UPDATE", Standing::of,
                accountId).orElseThrow(() -> ProblemException.notFound("Account"));
    }

    /** The player-side amount of an earlier movement of this type with this requestId. */
    private java.util.Optional<Long> earlier(long accountId, String requestId, LedgerType type) {
        return jdbc.queryOne("SELECT amount FROM ledger_entry WHERE account_id = ? AND request_id = ? AND type = ? "
                + "AND book = 'PLAYER'", rs -> rs.getLong(1), accountId, requestId, type.name());
    }

    /** Deposits over the last 24 h, 7 and 30 days (database clock) plus this one, against the account's limits. */
    private void checkDepositLimits(long accountId, long amount) {
        jdbc.queryOne("""
                SELECT a.deposit_limit_day, a.deposit_limit_week, a.deposit_limit_month,
                       coalesce(sum(l.amount) FILTER (WHERE l.at > now() - interval '24 hours'), 0) AS day,
                       coalesce(sum(l.amount) FILTER (WHERE l.at > now() - interval '7 days'), 0) AS week,
                       coalesce(sum(l.amount), 0) AS month
                FROM account a LEFT JOIN ledger_entry l ON l.account_id = a.id AND l.type = 'DEPOSIT'
                     AND l.book = 'PLAYER' AND l.at > now() - interval '30 days'
                WHERE a.id = ? GROUP BY a.id""", rs -> {
                    String[][] windows = { { "deposit_limit_day", "day", "24 hours" },
                            { "deposit_limit_week", "week", "7 days" }, { "deposit_limit_month", "month", "30 days" } };
                    for (String[] w : windows) {
                        Long limit = Jdbc.nullableLong(rs, w[0]);
                        long done = rs.getLong(w[1]);
                        if (limit != null && done + amount > limit) {
                            throw ProblemException.conflict("LIMIT_EXCEEDED", "This deposit would pass the deposit "
                                    + "limit of " + limit + " per " + w[2] + " (deposited: " + done + ")");
                        }
                    }
                    return true;
                }, accountId);
    }

    /**
     * The stake debit as CTEs, for the placement to run in its own single statement (docs/ARCHITECTURE.md §5:
     * one short transaction, no read-modify-write of a balance in Java). It expects an earlier CTE
     * {@code new_bet(id)}; {@code debit} is empty when the account may not stake this much (status, funds,
     * daily stake limit, time-out), and then neither the journal nor its event is written. Parameters, in order:
     * stake, stake, stake, accountId, stake, stake, epoch, accountId, stake, stake, epoch.
     */
    public static final String STAKE_DEBIT_CTES = """
            debit AS (
                UPDATE account SET balance = balance - ?,
                       staked_today = CASE WHEN staked_day = (now() AT TIME ZONE 'UTC')::date
                                           THEN staked_today + ? ELSE ? END,
                       staked_day = (now() AT TIME ZONE 'UTC')::date
                WHERE id = ? AND status = 'ACTIVE' AND balance >= ?
                  AND (timed_out_until IS NULL OR timed_out_until <= now())
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
                         AS v(book, account_id, amount)
                RETURNING journal_id, book, account_id, type, amount, balance_after, reference, request_id, bet_id,
                          settlement_seq),
            stake_event AS (""" + JOURNAL_EVENT.replace("entries e", "stake_entries e") + ")";

    public static Object[] stakeDebitParams(long accountId, long stake, long epoch) {
        return new Object[] { stake, stake, stake, accountId, stake, stake, epoch, accountId, stake, stake, epoch };
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
     * Credits many settlement payouts (type PAYOUT) in one statement, one journal per payout as {@link #credit} writes
     * it, with its event; the arrays are parallel, one element per payout, in the order the journals are to be
     * written ({@code voids[i]} 1: the reference reads "void bet", else "payout bet"). The accounts are locked in id
     * order first; each account's balance moves once by its total, and each journal's balance_after is the balance
     * after its own payout (the final balance less the account's later payouts in this call).
     */
    public void creditPayouts(long[] accounts, long[] bets, long[] amounts, long[] seqs, long[] voids) {
        if (accounts.length == 0) {
            return;
        }
        long epoch = guard.epoch();
        long[] distinct = Arrays.stream(accounts).distinct().toArray();
        jdbc.query("SELECT id FROM account WHERE id = ANY (?) ORDER BY id FOR UPDATE", rs -> null, (Object) distinct);
        // the accounts named on the account side too: else a hash join over a sequential scan of every account
        jdbc.update(CREDIT_PAYOUTS, accounts, bets, amounts, seqs, voids, distinct, epoch, epoch);
    }

    private static final String CREDIT_PAYOUTS = """
            WITH p AS (
                SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) WITH ORDINALITY
                              AS p(account_id, bet_id, amount, seq, is_void, n)),
            totals AS (SELECT account_id, sum(amount) AS total FROM p GROUP BY account_id),
            moved AS (
                UPDATE account a SET balance = a.balance + t.total FROM totals t
                WHERE a.id = t.account_id AND a.id = ANY (?::bigint[])
                RETURNING a.id, a.balance),
            after AS (
                SELECT p.*, moved.balance - coalesce(sum(p.amount) OVER (PARTITION BY p.account_id ORDER BY p.n
                                                     ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0) AS balance_after
                FROM p JOIN moved ON moved.id = p.account_id),
            journals AS (SELECT x.*, nextval('journal_seq') AS journal_id FROM (SELECT * FROM after ORDER BY n) x),
            entries AS (
                INSERT INTO ledger_entry (journal_id, book, account_id, type, amount, balance_after, reference,
                                          request_id, bet_id, settlement_seq, epoch)
                SELECT j.journal_id, v.book, v.account_id, 'PAYOUT', v.amount, v.balance_after,
                       CASE WHEN j.is_void = 1 THEN 'void bet ' ELSE 'payout bet ' END || j.bet_id, NULL, j.bet_id,
                       j.seq, ?
                FROM journals j, LATERAL (VALUES (1, 'PLAYER', j.account_id, j.amount, j.balance_after),
                                                 (2, 'HOUSE_BETS', NULL::bigint, -j.amount, NULL::bigint))
                                         AS v(o, book, account_id, amount, balance_after)
                ORDER BY j.n, v.o
                RETURNING journal_id, book, account_id, type, amount, balance_after, reference, request_id, bet_id,
                          settlement_seq)
            """ + JOURNAL_EVENT;

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
        return transactions(accountId, null, limit);
    }

    /** Newest first; {@code before} (a transaction id) pages back to older ones. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Transaction> transactions(long accountId, Long before, int limit) {
        return jdbc.query("""
                SELECT id, type, amount, balance_after, reference, at FROM ledger_entry
                WHERE account_id = ? AND id < ? ORDER BY id DESC LIMIT ?""",
                rs -> new Transaction(rs.getLong("id"), LedgerType.valueOf(rs.getString("type")),
                        rs.getLong("amount"), rs.getLong("balance_after"), rs.getString("reference"),
                        Jdbc.instant(rs, "at")),
                accountId, before == null ? Long.MAX_VALUE : before, limit);
    }

    private void postJournal(LedgerType type, long accountId, long playerAmount, long balanceAfter, String houseBook,
            String reference, long betId, Integer settlementSeq) {
        long epoch = guard.epoch();
        jdbc.update(POST_JOURNAL, type.name(), reference, null, betId, settlementSeq, epoch,
                accountId, playerAmount, balanceAfter, houseBook, -playerAmount, epoch);
    }

    /** Why a stake debit matched no row: blocked, self-excluded, timed out, short of funds, or over the daily limit. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public ProblemException refusal(long accountId, long stake) {
        var row = jdbc.queryOne("SELECT " + Standing.COLUMNS + ", balance, daily_stake_limit, CASE WHEN staked_day = "
                + "(now() AT TIME ZONE 'UTC')::date THEN staked_today ELSE 0 END AS staked FROM account WHERE id = ?",
                rs -> new Object[] { Standing.of(rs), rs.getLong("balance"), Jdbc.nullableLong(rs, "daily_stake_limit"),
                        rs.getLong("staked") },
                accountId).orElseThrow(() -> ProblemException.notFound("Account"));
        var barred = ((Standing) row[0]).bar();
        if (barred.isPresent()) {
            return barred.get();
        }
        if ((long) row[1] < stake) {
            return ProblemException.unprocessable("INSUFFICIENT_FUNDS",
                    "The balance " + row[1] + " does not cover the stake " + stake);
        }
        return ProblemException.conflict("LIMIT_EXCEEDED",
                "The stake would pass the daily stake limit " + row[2] + " (staked today: " + row[3] + ")");
    }
}
