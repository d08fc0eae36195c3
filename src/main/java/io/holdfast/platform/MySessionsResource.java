package io.holdfast.platform;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import io.quarkus.security.Authenticated;
import io.vertx.ext.web.RoutingContext;

/** "Log out everywhere": ends every session of the caller's account, this one included, on every node. */
@Path("/api/me/sessions")
@Authenticated
public class MySessionsResource {

    private final Sessions sessions;
    private final CurrentUser user;
    private final RoutingContext routing;

    MySessionsResource(Sessions sessions, CurrentUser user, RoutingContext routing) {
        this.sessions = sessions;
        this.user = user;
        this.routing = routing;
    }

    @DELETE
    public Response endAll() {
        sessions.endAllOf(user.accountId(), null, "LOGOUT_EVERYWHERE");
        sessions.clearCookie(routing);
        return Response.noContent().build();
    }
}
