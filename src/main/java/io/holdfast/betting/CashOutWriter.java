package io.holdfast.betting;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.betting.CashOutPricing.LegNow;
import io.holdfast.cluster.Fenced;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ProblemException;
import io.holdfast.wallet.LedgerType;
import io.holdfast.wallet.Wallet;

/**
 * The cash-out transactions, fenced like placement. Taking a quote first holds the bet's markets {@code FOR KEY
 * SHARE}, as placement does (a result, a suspension or a finish takes the market row {@code FOR UPDATE}: it waits
 * for this cash-out, or this cash-out waits for it and then reads the market closed or suspended), then the bet row
 * {@code FOR UPDATE} while it is still ACCEPTED (settlement claims ACCEPTED, WON, LOST and VOID bets {@code FOR
 * UPDATE SKIP LOCKED}), and re-prices the open legs from the database under those locks. So a cash-out and the
 * market's settlement pay one or the other, never both; the ledger's unique CASH_OUT row per bet is the storage's
 * own guard on top.
 */
@ApplicationScoped
class CashOutWriter {

    /** A quote as stored. */
    record StoredQuote(UUID id, long betId, long amount, boolean valid, String requestId) {
    }

    private static final String LEGS_NOW = """
            SELECT l.market_id, l.odds AS taken, s.odds AS current, l.result, m.status AS market_status,
                   e.status AS event_status
            FROM bet_leg l JOIN selection s ON s.id = l.selection_id JOIN market m ON m.id = l.market_id
                 JOIN event e ON e.id = l.event_id
            WHERE l.bet_id = ? ORDER BY l.leg_no""";

    private final Jdbc jdbc;
    private final Wallet wallet;
    private final BetStore bets;
    private final HoldfastConfig config;

    CashOutWriter(Jdbc jdbc, Wallet wallet, BetStore bets, HoldfastConfig config) {
        this.jdbc = jdbc;
        this.wallet = wallet;
        this.bets = bets;
        this.config = config;
    }

    /** A new quote for an ACCEPTED bet of this account, stored with its prices and its end (database clock). */
    @Transactional
    @Fenced
    CashOut.Offer quote(long accountId, long betId) {
        long stake = acceptedStake(accountId, betId);
        List<LegNow> legs = legsNow(betId);
        long amount = CashOutPricing.amount(stake, legs, config.cashOut().margin());
        String prices = legs.stream().filter(LegNow::open).map(l -> l.current().toPlainString())
                .collect(Collectors.joining(",", "{", "}"));
        return jdbc.queryOne("""
                INSERT INTO cash_out_quote (bet_id, account_id, amount, prices, valid_until)
                VALUES (?, ?, ?, ?::numeric[], now() + ? * interval '1 millisecond') RETURNING id, valid_until""",
                rs -> new CashOut.Offer(rs.getString(1), amount, Jdbc.instant(rs, "valid_until")),
                betId, accountId, amount, prices, config.cashOut().quoteTtl().toMillis()).orElseThrow();
    }

    /**
     * Takes a quote: the bet ends CASHED_OUT with the quoted amount paid, if the quote still stands and the price now
     * is worth at least as much to the bettor. Empty when this requestId already took this quote (the caller answers
     * that bet again).
     */
    @Transactional
    @Fenced
    Optional<BetView> take(long accountId, long betId, UUID quoteId, String requestId) {
        if (repeat(accountId, betId, quoteId, requestId)) {
            return Optional.empty();
        }
        String status = jdbc.queryOne("SELECT status FROM bet WHERE id = ? AND account_id = ?", rs -> rs.getString(1),
                betId, accountId).orElseThrow(() -> ProblemException.notFound("Bet"));
        StoredQuote quote = stored(accountId, betId, quoteId).orElseThrow(() -> ProblemException.notFound("Quote"));
        if (!status.equals(BetStatus.ACCEPTED.name()) || quote.requestId() != null) {
            throw CashOutPricing.unavailable("Bet " + betId + " is " + status);
        }
        if (!quote.valid()) {
            throw ProblemException.conflict("QUOTE_EXPIRED", "The quote has expired; ask for a new one");
        }
        // the markets first, in id order as placement takes them, then the bet: the lock order of placement and results
        long[] markets = jdbc.query("SELECT DISTINCT market_id FROM bet_leg WHERE bet_id = ? ORDER BY 1",
                rs -> rs.getLong(1), betId).stream().mapToLong(Long::longValue).toArray();
        jdbc.query("SELECT id FROM market WHERE id = ANY (?) ORDER BY id FOR KEY SHARE", rs -> rs.getLong(1),
                (Object) markets);
        Optional<Long> stake = jdbc.queryOne("SELECT stake FROM bet WHERE id = ? AND status = 'ACCEPTED' FOR UPDATE",
                rs -> rs.getLong(1), betId);
        if (stake.isEmpty()) {
            // settled meanwhile, or a concurrent request with this requestId committed first (READ COMMITTED sees it)
            if (repeat(accountId, betId, quoteId, requestId)) {
                return Optional.empty();
            }
            throw CashOutPricing.unavailable("Bet " + betId + " is no longer open");
        }
        long now = CashOutPricing.amount(stake.get(), legsNow(betId), config.cashOut().margin());
        if (now < quote.amount()) {
            throw ProblemException.conflict("ODDS_CHANGED", "The price moved: the bet is now worth "
                    + now + " to cash out, less than the quoted " + quote.amount() + "; ask for a new quote");
        }
        jdbc.update("UPDATE cash_out_quote SET request_id = ?, taken_at = now() WHERE id = ?", requestId, quoteId);
        jdbc.update("UPDATE bet SET status = 'CASHED_OUT', payout = ?, settled_at = now() WHERE id = ?", quote.amount(),
                betId);
        wallet.credit(accountId, LedgerType.CASH_OUT, quote.amount(), betId, null, "cash-out bet " + betId);
        return Optional.of(bets.find(accountId, betId).orElseThrow());
    }

    /** True if this requestId already took this quote; 409 DUPLICATE_REQUEST_MISMATCH if it took another. */
    @Transactional(Transactional.TxType.SUPPORTS)
    boolean repeat(long accountId, long betId, UUID quoteId, String requestId) {
        Optional<StoredQuote> earlier = jdbc.queryOne("SELECT id, bet_id, amount, request_id FROM cash_out_quote "
                + "WHERE account_id = ? AND request_id = ?", rs -> new StoredQuote(rs.getObject(1, UUID.class),
                        rs.getLong(2), rs.getLong(3), true, rs.getString(4)), accountId, requestId);
        if (earlier.isEmpty()) {
            return false;
        }
        if (earlier.get().betId() != betId || !earlier.get().id().equals(quoteId)) {
            throw ProblemException.conflict("DUPLICATE_REQUEST_MISMATCH",
                    "requestId " + requestId + " was already used for another cash-out");
        }
        return true;
    }

    private Optional<StoredQuote> stored(long accountId, long betId, UUID quoteId) {
        return jdbc.queryOne("SELECT id, bet_id, amount, valid_until > now() AS valid, request_id FROM cash_out_quote "
                + "WHERE id = ? AND bet_id = ? AND account_id = ?", rs -> new StoredQuote(rs.getObject(1, UUID.class),
                        rs.getLong(2), rs.getLong(3), rs.getBoolean(4), rs.getString(5)), quoteId, betId, accountId);
    }

    private long acceptedStake(long accountId, long betId) {
        Object[] bet = jdbc.queryOne("SELECT stake, status FROM bet WHERE id = ? AND account_id = ?",
                rs -> new Object[] { rs.getLong(1), rs.getString(2) }, betId, accountId)
                .orElseThrow(() -> ProblemException.notFound("Bet"));
        if (!BetStatus.ACCEPTED.name().equals(bet[1])) {
            throw CashOutPricing.unavailable("Bet " + betId + " is " + bet[1]);
        }
        return (long) bet[0];
    }

    private List<LegNow> legsNow(long betId) {
        return jdbc.query(LEGS_NOW, rs -> new LegNow(rs.getLong(1), Jdbc.odds(rs, "taken"), Jdbc.odds(rs, "current"),
                rs.getString("result"), rs.getString("market_status"), rs.getString("event_status")), betId);
    }
}
