package io.holdfast.betting;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Retry;

import io.holdfast.odds.MarketStatus;
import io.holdfast.odds.OddsBook;
import io.holdfast.odds.Quote;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;
import io.holdfast.wallet.Limits;
import io.smallrye.faulttolerance.api.RetryWhen;

/**
 * Places a bet: validates the slip against the odds book (the cache: a quick first refusal) and the limits,
 * then writes it in one short fenced transaction ({@link BetWriter}) in which the database has the last word
 * on each market's status. Idempotent by {@code requestId}.
 */
@ApplicationScoped
@ModuleApi
public class PlaceBet {

    /** The outcome: the bet, and whether this call created it (false: a retry of an earlier request). */
    public record Placed(BetView bet, boolean created) {
    }

    private final OddsBook book;
    private final BetWriter writer;
    private final BetStore bets;
    private final HoldfastConfig config;
    private final PendingIndex pending;
    private final Limits limits;

    PlaceBet(OddsBook book, BetWriter writer, BetStore bets, HoldfastConfig config, PendingIndex pending,
            Limits limits) {
        this.limits = limits;
        this.book = book;
        this.writer = writer;
        this.bets = bets;
        this.config = config;
        this.pending = pending;
    }

    /**
     * Retried here, outside {@link BetWriter}'s transaction, so that each try gets a new transaction and a new
     * connection: after a database failover the pool still holds connections to the old primary, and each of
     * them fails once. Quick tries, every 50 ± 25 ms for at most 2.5 s, drain those and find the promoted primary
     * within tens of ms of HAProxy routing to it (a try against no primary fails at once, so they cost little);
     * a longer outage (Patroni promoting the standby takes about its ttl) is answered with a retriable 503 rather
     * than holding request threads. A retry is safe because placement is idempotent by requestId: a try whose
     * commit went through returns that bet.
     */
    @Retry(maxRetries = 30, delay = 50, jitter = 25, maxDuration = 2500)
    @RetryWhen(exception = RetriableFailure.class)
    public Placed place(long accountId, PlaceBetCommand command) {
        String fingerprint = command.fingerprint();
        List<BetWriter.Leg> legs;
        try {
            legs = price(command);
        } catch (ProblemException refused) {
            // a retry of a bet placed before the price moved or the market closed is still that bet
            var earlier = bets.fingerprint(accountId, command.requestId());
            if (earlier.isPresent()) {
                return repeat(accountId, command, fingerprint, earlier.get());
            }
            throw refused;
        }
        BigDecimal combined = BigDecimal.ONE;
        for (BetWriter.Leg leg : legs) {
            combined = combined.multiply(leg.odds());
        }
        long stake = command.stake();
        var bounds = config.limits();
        if (stake < bounds.minStake()) {
            throw ProblemException.unprocessable("STAKE_TOO_LOW", "The minimum stake is " + bounds.minStake());
        }
        if (stake > bounds.maxStake()) {
            throw ProblemException.unprocessable("STAKE_TOO_HIGH", "The maximum stake is " + bounds.maxStake());
        }
        // compared as a BigDecimal: twenty legs at 1000.00 are a payout of 10^60 stakes, far past a long
        BigDecimal payout = combined.multiply(BigDecimal.valueOf(stake)).setScale(0, RoundingMode.FLOOR);
        if (payout.compareTo(BigDecimal.valueOf(bounds.maxPayout())) > 0) {
            throw ProblemException.unprocessable("PAYOUT_TOO_HIGH",
                    "The potential payout " + payout.toPlainString() + " is above the maximum " + bounds.maxPayout());
        }
        long potentialPayout = payout.longValueExact();
        boolean live = legs.stream().anyMatch(BetWriter.Leg::live);
        var slip = new BetWriter.NewBet(accountId, command.requestId(), fingerprint, stake, combined,
                command.policy(), potentialPayout, live ? config.betting().liveDelay() : null, legs);
        Optional<BetView> written;
        try {
            written = write(slip);
        } catch (BetWriter.MarketRefused refused) {
            // the odds book still showed the market open: bring it up to date, then answer as for any refusal
            legs.stream().mapToLong(BetWriter.Leg::marketId).distinct().forEach(book::refreshMarket);
            var earlier = bets.fingerprint(accountId, command.requestId());
            if (earlier.isPresent()) {
                return repeat(accountId, command, fingerprint, earlier.get());
            }
            throw refused.problem;
        }
        if (written.isEmpty()) {
            // this requestId was used before, or by a concurrent request that committed first
            return repeat(accountId, command, fingerprint, bets.fingerprint(accountId, command.requestId()).orElseThrow());
        }
        BetView bet = written.get();
        if (bet.status() == BetStatus.PENDING) {
            pending.add(bet.id(), bet.dueAt());
        }
        return new Placed(bet, true);
    }

    /**
     * The write; a stake over the daily limit is tried once more when a raised limit has just come due (its
     * 24 h cooling-off ended): pending changes are applied when read, and the debit reads the column.
     */
    private Optional<BetView> write(BetWriter.NewBet bet) {
        try {
            return writer.write(bet);
        } catch (ProblemException refused) {
            if (refused.code().equals("LIMIT_EXCEEDED") && limits.applyDue(bet.accountId())) {
                return writer.write(bet);
            }
            throw refused;
        }
    }

    private Placed repeat(long accountId, PlaceBetCommand command, String fingerprint, String earlier) {
        if (!earlier.equals(fingerprint)) {
            throw ProblemException.conflict("DUPLICATE_REQUEST_MISMATCH",
                    "requestId " + command.requestId() + " was already used for a different bet");
        }
        return new Placed(bets.findByRequest(accountId, command.requestId()).orElseThrow(), false);
    }

    /** Each leg at the current price, if the market takes bets and the bettor's policy accepts the price. */
    private List<BetWriter.Leg> price(PlaceBetCommand command) {
        List<BetWriter.Leg> legs = new ArrayList<>();
        Set<Long> events = new HashSet<>();
        Set<Long> markets = new HashSet<>();
        for (PlaceBetCommand.Leg seen : command.legs()) {
            Quote quote = book.quote(seen.selectionId())
                    .orElseThrow(() -> ProblemException.unprocessable("NOT_FOUND",
                            "Selection " + seen.selectionId() + " not found"));
            if (!markets.add(quote.marketId())) {
                throw ProblemException.unprocessable("VALIDATION_FAILED", "Two legs on the same market");
            }
            if (!events.add(quote.eventId()) && command.legs().size() > 1) {
                throw ProblemException.unprocessable("VALIDATION_FAILED",
                        "The legs of an accumulator must be on different events");
            }
            if (!quote.open()) {
                throw quote.marketStatus() == MarketStatus.SUSPENDED
                        ? ProblemException.conflict("MARKET_SUSPENDED", "Market " + quote.marketId() + " is suspended")
                        : ProblemException.conflict("MARKET_CLOSED", "Market " + quote.marketId() + " takes no bets");
            }
            if (!command.policy().accepts(seen.odds(), quote.odds())) {
                throw ProblemException.conflict("ODDS_CHANGED", "The price of selection " + seen.selectionId()
                        + " is now " + quote.odds().toPlainString() + " (version " + quote.version() + ")");
            }
            legs.add(new BetWriter.Leg(quote.selectionId(), quote.marketId(), quote.eventId(), quote.odds(),
                    quote.version(), quote.live()));
        }
        return legs;
    }
}
