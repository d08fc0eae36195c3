package io.holdfast.platform;

import java.sql.SQLException;

/**
 * Failures a client can retry: the database went away, failed over, or timed out a lock. The error mapper
 * answers them 503 + Retry-After; business code asks the same question to decide whether to try again.
 */
@ModuleApi
public final class TransientFailure {

    private TransientFailure() {
    }

    /** This one throwable (not its causes) is transient. */
    public static boolean isTransient(Throwable t) {
        if (t instanceof org.hibernate.exception.JDBCConnectionException
                || t instanceof java.sql.SQLTransientException
                || t instanceof java.sql.SQLRecoverableException
                || t instanceof jakarta.transaction.RollbackException
                || t.getClass().getName().startsWith("io.smallrye.faulttolerance.api")
                || t instanceof org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException
                || t instanceof org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException) {
            return true;
        }
        if (t instanceof SQLException sql && sql.getSQLState() != null) {
            String state = sql.getSQLState();
            return state.startsWith("08") // connection exception
                    || state.startsWith("57P") // admin shutdown, crash shutdown, cannot connect now
                    || state.equals("25006") // read-only transaction: we are on a standby that was primary
                    || state.equals("40001") || state.equals("40P01") // serialization, deadlock
                    || state.equals("55P03") // lock not available (lock_timeout)
                    || state.equals("25P03"); // idle-in-transaction timeout
        }
        return false;
    }
}
