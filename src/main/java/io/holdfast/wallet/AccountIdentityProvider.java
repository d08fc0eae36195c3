package io.holdfast.wallet;

import java.security.SecureRandom;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import io.holdfast.platform.ClientOrigin;
import io.holdfast.platform.CurrentUser;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.LoginThrottle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Username and password (HTTP Basic, the login form, POST /api/session), checked against bcrypt hashes.
 * The throttle counts the attempt before bcrypt runs; an unknown username is hashed against a dummy hash of
 * the same cost, so its answer takes as long as a wrong password's and does not tell who has an account.
 */
@ApplicationScoped
class AccountIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    /** Requests built without an HTTP request (none today) are throttled under this address. */
    static final String NO_ADDRESS = "internal";

    private final Accounts accounts;
    private final LoginThrottle throttle;
    private final ClientOrigin origin;
    private final Counter passwordChecks;
    private final String dummyHash;

    AccountIdentityProvider(Accounts accounts, LoginThrottle throttle, ClientOrigin origin, HoldfastConfig config,
            MeterRegistry metrics) {
        this.accounts = accounts;
        this.throttle = throttle;
        this.origin = origin;
        this.passwordChecks = Counter.builder("holdfast.login.password.checks")
                .description("bcrypt password checks made for logins (the throttle bounds them)").register(metrics);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.dummyHash = BcryptUtil.bcryptHash(Base64.getEncoder().encodeToString(random), config.security().bcryptCost());
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(request);
        String address = http == null ? NO_ADDRESS : origin.address(http);
        return context.runBlocking(() -> {
            String username = request.getUsername();
            try (LoginThrottle.Attempt attempt = throttle.begin(username, address)) {
                var account = accounts.credentials(username);
                String password = new String(request.getPassword().getPassword());
                passwordChecks.increment();
                boolean matches = BcryptUtil.matches(password, account.map(Credentials::passwordHash).orElse(dummyHash));
                if (account.isEmpty() || !matches) {
                    attempt.failed();
                    throw new AuthenticationFailedException("wrong credentials");
                }
                attempt.succeeded();
                return identity(account.get());
            }
        });
    }

    static SecurityIdentity identity(Credentials account) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(account.username()))
                .addRoles(account.roles())
                .addAttribute(CurrentUser.ACCOUNT_ID, account.id())
                .addAttribute(CurrentUser.ACCOUNT_STATUS, account.status().name())
                .build();
    }
}
