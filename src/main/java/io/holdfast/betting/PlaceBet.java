package io.holdfast.betting;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Retry;

import io.holdfast.odds.MarketStatus;
import io.holdfast.odds.OddsBook;
import io.holdfast.odds.Quote;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;
import io.smallrye.faulttolerance.api.RetryWhen;

/**
 * Places a bet: validates the slip against the odds book (the cache, not the database) and the limits,
 * then writes it in one short fenced transaction ({@link BetWriter}). Idempotent by {@code requestId}.
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

    PlaceBet(OddsBook book, BetWriter writer, BetStore bets, HoldfastConfig config, PendingIndex pending) {
        this.book = book;
        this.writer = writer;
        this.bets = bets;
        this.config = config;
        this.pending = pending;
    }

    /**
     * Retried here, outside {@link BetWriter}'s transaction, so that each try gets a new transaction and a new
     * connection: after a database failover the pool still holds connections to the old primary, and each of
     * them fails once. Five quick tries within 2.5 s drain those; a longer outage (Patroni promoting the standby
     * takes about its ttl) is answered with a retriable 503 rather than holding request threads. A retry is
     * safe because placement is idempotent by requestId: a try whose commit went through returns that bet.
     */
    @Retry(maxRetries = 5, delay = 100, jitter = 50, maxDuration = 2500)
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
        var limits = config.limits();
        if (stake < limits.minStake()) {
            throw ProblemException.unprocessable("STAKE_TOO_LOW", "The minimum stake is " + limits.minStake());
        }
        if (stake > limits.maxStake()) {
            throw ProblemException.unprocessable("STAKE_TOO_HIGH", "The maximum stake is " + limits.maxStake());
        }
        long potentialPayout = combined.multiply(BigDecimal.valueOf(stake)).setScale(0, RoundingMode.FLOOR)
                .longValueExact();
        if (potentialPayout > limits.maxPayout()) {
            throw ProblemException.unprocessable("PAYOUT_TOO_HIGH",
                    "The potential payout " + potentialPayout + " is above the maximum " + limits.maxPayout());
        }
        boolean live = legs.stream().anyMatch(BetWriter.Leg::live);
        var written = writer.write(new BetWriter.NewBet(accountId, command.requestId(), fingerprint, stake, combined,
                command.policy(), potentialPayout, live ? config.betting().liveDelay() : null, legs));
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
