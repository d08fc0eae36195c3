package io.holdfast.betting;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Retry;

import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;
import io.smallrye.faulttolerance.api.RetryWhen;

/**
 * Cash-out: a quote for an open single or accumulator from its legs' prices now ({@link CashOutPricing}), valid a
 * few seconds, and taking it through the same kind of fenced transaction as a bet ({@link CashOutWriter}),
 * idempotent by {@code requestId} and re-priced when taken.
 */
@ApplicationScoped
@ModuleApi
public class CashOut {

    /** A quote as the bettor sees it. */
    public record Offer(String quoteId, long amount, Instant validUntil) {
    }

    /** The bet after the cash-out, and whether this call paid it (false: a retry of an earlier request). */
    public record Taken(BetView bet, boolean paid) {
    }

    private final CashOutWriter writer;
    private final BetStore bets;

    CashOut(CashOutWriter writer, BetStore bets) {
        this.writer = writer;
        this.bets = bets;
    }

    // Retried outside the writer's transaction for the reason PlaceBet.place is: each try gets a new connection
    // after a database failover; safe because a quote is only an offer and taking one is idempotent by requestId.
    @Retry(maxRetries = 5, delay = 100, jitter = 50, maxDuration = 2500)
    @RetryWhen(exception = RetriableFailure.class)
    public Offer quote(long accountId, long betId) {
        return writer.quote(accountId, betId);
    }

    @Retry(maxRetries = 5, delay = 100, jitter = 50, maxDuration = 2500)
    @RetryWhen(exception = RetriableFailure.class)
    public Taken take(long accountId, long betId, CashOutCommand command) {
        UUID quoteId = parse(command.quoteId());
        String requestId = command.requestId().trim();
        try {
            return writer.take(accountId, betId, quoteId, requestId).map(bet -> new Taken(bet, true))
                    .orElseGet(() -> new Taken(bets.find(accountId, betId).orElseThrow(), false));
        } catch (Jdbc.DatabaseException e) {
            // the same requestId took another bet's quote at the same moment: the unique index answered first
            if (e.isUniqueViolation() && writer.repeat(accountId, betId, quoteId, requestId)) {
                return new Taken(bets.find(accountId, betId).orElseThrow(), false);
            }
            throw e;
        }
    }

    private static UUID parse(String quoteId) {
        try {
            return UUID.fromString(quoteId.trim());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("quoteId is not a quote id");
        }
    }
}
