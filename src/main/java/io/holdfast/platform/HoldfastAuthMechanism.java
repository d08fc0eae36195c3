package io.holdfast.platform;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.credential.PasswordCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * One mechanism for the API and the pages: a valid session cookie authenticates without hashing the
 * password again (bcrypt is tens of milliseconds of CPU); otherwise HTTP Basic.
 */
@ApplicationScoped
class HoldfastAuthMechanism implements HttpAuthenticationMechanism {

    private final Sessions sessions;

    HoldfastAuthMechanism(Sessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext ctx, IdentityProviderManager identities) {
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Uni.createFrom().failure(new io.quarkus.security.AuthenticationFailedException("bad header"));
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Uni.createFrom().failure(new io.quarkus.security.AuthenticationFailedException("bad header"));
            }
            var request = new UsernamePasswordAuthenticationRequest(decoded.substring(0, colon),
                    new PasswordCredential(decoded.substring(colon + 1).toCharArray()));
            return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request, ctx));
        }
        if (ctx.request().getCookie(Sessions.COOKIE) == null) {
            return Uni.createFrom().optional(Optional.empty());
        }
        // the replicated cache answers on the event loop; a miss reads the session's row, on a worker thread
        Uni<Optional<Sessions.Live>> live = sessions.cached(ctx)
                ? Uni.createFrom().item(sessions.restore(ctx))
                : Uni.createFrom().item(() -> sessions.restore(ctx)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return live.onItem().transformToUni(session -> {
            if (session.isEmpty()) {
                return Uni.createFrom().optional(Optional.<SecurityIdentity>empty());
            }
            var request = new TrustedAuthenticationRequest(session.get().username());
            return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request, ctx))
                    .onItem().transform(identity -> (SecurityIdentity) QuarkusSecurityIdentity.builder(identity)
                            .addAttribute(Sessions.SESSION_ID, session.get().sessionId()).build())
                    .onItem().invoke(identity -> sessions.renew(ctx, session.get()));
        });
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Basic realm=\"holdfast\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(UsernamePasswordAuthenticationRequest.class, TrustedAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "basic"));
    }
}
