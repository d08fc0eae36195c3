package io.holdfast.wallet;

import jakarta.enterprise.context.ApplicationScoped;

import io.holdfast.platform.CurrentUser;
import io.holdfast.platform.LoginThrottle;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/** Username and password (HTTP Basic, the login form, POST /api/session), checked against bcrypt hashes. */
@ApplicationScoped
class AccountIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private final Accounts accounts;
    private final LoginThrottle throttle;

    AccountIdentityProvider(Accounts accounts, LoginThrottle throttle) {
        this.accounts = accounts;
        this.throttle = throttle;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        return context.runBlocking(() -> {
            String username = request.getUsername();
            throttle.check(username);
            var account = accounts.credentials(username);
            String password = new String(request.getPassword().getPassword());
            if (account.isEmpty() || !BcryptUtil.matches(password, account.get().passwordHash())) {
                throttle.failed(username);
                throw new AuthenticationFailedException("wrong credentials");
            }
            throttle.succeeded(username);
            return identity(account.get());
        });
    }

    static SecurityIdentity identity(Credentials account) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(account.username()))
                .addRoles(account.roles())
                .addAttribute(CurrentUser.ACCOUNT_ID, account.id())
                .build();
    }
}
