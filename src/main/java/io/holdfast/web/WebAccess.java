package io.holdfast.web;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The one gate of the pages: {@code /my}, {@code /slip} need a bettor, {@code /back-office} an admin,
 * {@code /ops} an ops user. Nobody logged in is sent to the login form (a browser must never see the
 * API's Basic challenge); a logged-in user without the role gets a 403 page.
 */
public class WebAccess {

    private final CurrentIdentityAssociation identities;

    WebAccess(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    static String roleFor(String path) {
        if (under(path, "/my") || under(path, "/slip")) {
            return "bettor";
        }
        if (under(path, "/back-office")) {
            return "admin";
        }
        if (under(path, "/ops")) {
            return "ops";
        }
        return null;
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    @ServerRequestFilter
    public Uni<Response> gate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        String role = roleFor(path);
        if (role == null) {
            return Uni.createFrom().nullItem();
        }
        return identities.getDeferredIdentity().map(identity -> decide(identity, role, request, path));
    }

    private static Response decide(SecurityIdentity identity, String role, ContainerRequestContext request,
            String path) {
        if (identity.isAnonymous()) {
            String login = "/login?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8);
            if (request.getHeaderString("HX-Request") != null) {
                return Response.status(401).header("HX-Redirect", login).build();
            }
            return Response.seeOther(URI.create(login)).build();
        }
        if (!identity.hasRole(role)) {
            return Response.status(403).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(Pages.forbidden(role)).build();
        }
        return null;
    }
}
