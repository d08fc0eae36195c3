package io.holdfast.wallet;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import io.holdfast.platform.ProblemException;

/**
 * What an account may do with money: a BLOCKED, self-excluded or timed-out account may sign in, look and
 * withdraw, but not deposit, bet or raise a limit. Read with {@link #COLUMNS} in the caller's statement.
 */
record Standing(String status, boolean selfExcluded, boolean timedOut) {

    /** The columns, by the database's clock, for {@link #of}. */
    static final String COLUMNS = "status, coalesce(self_excluded_until > now(), false) AS excluding, "
            + "coalesce(timed_out_until > now(), false) AS timed_out";

    static Standing of(ResultSet rs) throws SQLException {
        return new Standing(rs.getString("status"), rs.getBoolean("excluding"), rs.getBoolean("timed_out"));
    }

    /** Why this account may not deposit, bet or raise a limit now; empty when it may. */
    Optional<ProblemException> bar() {
        if (status.equals("BLOCKED")) {
            return Optional.of(ProblemException.conflict("ACCOUNT_BLOCKED", "This account is blocked"));
        }
        if (status.equals("SELF_EXCLUDED") || selfExcluded) {
            return Optional.of(ProblemException.conflict("SELF_EXCLUDED", "This account is self-excluded"));
        }
        if (timedOut) {
            return Optional.of(ProblemException.conflict("TIMED_OUT", "This account is taking a time-out"));
        }
        return Optional.empty();
    }

    void check() {
        bar().ifPresent(p -> {
            throw p;
        });
    }
}
