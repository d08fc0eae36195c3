package io.holdfast.wallet;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/** A live session names the user; roles and status come from the database (cached for two seconds). */
@ApplicationScoped
class SessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {

    private final Accounts accounts;

    SessionIdentityProvider(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public Class<TrustedAuthenticationRequest> getRequestType() {
        return TrustedAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TrustedAuthenticationRequest request, AuthenticationRequestContext context) {
        // a blocked account's sessions end when it is blocked (Sessions.endAllOf); it may sign in again to see its
        // balance and history, and every write it tries is refused with ACCOUNT_BLOCKED
        return context.runBlocking(() -> accounts.sessionCredentials(request.getPrincipal())
                .map(AccountIdentityProvider::identity)
                .orElseThrow(() -> new AuthenticationFailedException("unknown session user")));
    }
}
