package io.holdfast.platform;

import java.util.Set;

import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.credential.PasswordCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.vertx.ext.web.RoutingContext;

/** Log in once, then carry the sealed session cookie instead of a password; log out ends the session everywhere. */
@Path("/api/session")
@PermitAll
public class SessionResource {

    public record Login(@NotBlank @Size(max = 64) String username, @NotBlank @Size(max = 72) String password) {
    }

    public record SessionView(String username, Set<String> roles) {
    }


    private final IdentityProviderManager identities;
    private final Sessions sessions;
    private final RoutingContext routing;

    SessionResource(IdentityProviderManager identities, Sessions sessions, RoutingContext routing) {
        this.identities = identities;
        this.sessions = sessions;
        this.routing = routing;
    }

    @POST
    public SessionView login(@Valid @NotNull Login body) {
        var request = new UsernamePasswordAuthenticationRequest(body.username(),
                new PasswordCredential(body.password().toCharArray()));
        // the throttle keys the attempt by the client's address
        SecurityIdentity identity = identities.authenticateBlocking(
                HttpSecurityUtils.setRoutingContextAttribute(request, routing));
        sessions.start(identity, routing);
        return new SessionView(identity.getPrincipal().getName(), identity.getRoles());
    }

    /** Ends this session on every node: the same cookie replayed afterwards gets 401. */
    @DELETE
    public Response logout() {
        sessions.end(routing);
        return Response.noContent().build();
    }
}
