package io.holdfast.wallet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.holdfast.cluster.Fenced;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ClientOrigin;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.LoginThrottle;
import io.holdfast.platform.ProblemException;
import io.holdfast.platform.Sessions;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.vertx.ext.web.RoutingContext;

/**
 * Changes an account's password after checking the current one (throttled like a login: a stolen session must
 * not become a free password oracle), and ends every other session of the account in the same transaction.
 */
@ApplicationScoped
@ModuleApi
public class ChangePassword {

    private final Jdbc jdbc;
    private final Accounts accounts;
    private final LoginThrottle throttle;
    private final ClientOrigin origin;
    private final Sessions sessions;
    private final int cost;

    ChangePassword(Jdbc jdbc, Accounts accounts, LoginThrottle throttle, ClientOrigin origin, Sessions sessions,
            HoldfastConfig config) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.throttle = throttle;
        this.origin = origin;
        this.sessions = sessions;
        this.cost = config.security().bcryptCost();
    }

    /** {@code keepSessionId}: the session that asked stays (null when it came with HTTP Basic). */
    @Fenced
    @Transactional
    public void change(long accountId, String keepSessionId, String current, String next, RoutingContext http) {
        if (next.length() < 8 || next.length() > 72) {
            throw ProblemException.badRequest("new: a password has 8 to 72 characters");
        }
        String username = accounts.get(accountId).username();
        Credentials account = accounts.credentials(username).orElseThrow(() -> ProblemException.notFound("Account"));
        try (LoginThrottle.Attempt attempt = throttle.begin(username, origin.address(http))) {
            if (!BcryptUtil.matches(current, account.passwordHash())) {
                attempt.failed();
                throw new ProblemException(403, "WRONG_PASSWORD", "The current password is wrong");
            }
            attempt.succeeded();
        }
        jdbc.update("UPDATE account SET password_hash = ? WHERE id = ?", BcryptUtil.bcryptHash(next, cost), accountId);
        sessions.endAllOf(accountId, keepSessionId, "PASSWORD_CHANGED");
    }
}
