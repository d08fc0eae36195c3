package io.holdfast.betting;

import java.util.function.Predicate;

import io.holdfast.platform.ProblemException;
import io.holdfast.platform.TransientFailure;

/**
 * Which placement failures are worth one more try on this node: the database connection broke or the
 * database failed over (a pooled connection to the old primary, a lock timeout), never an answer to the
 * bettor (a {@link ProblemException} such as NOT_ACTIVE, ODDS_CHANGED or INSUFFICIENT_FUNDS).
 */
public final class RetriableFailure implements Predicate<Throwable> {

    @Override
    public boolean test(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProblemException) {
                return false;
            }
            if (TransientFailure.isTransient(t)) {
                return true;
            }
        }
        return false;
    }
}
