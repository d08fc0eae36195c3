package io.holdfast.wallet;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.holdfast.platform.CurrentUser;
import io.quarkus.security.Authenticated;
import io.vertx.ext.web.RoutingContext;

/** A bettor (or admin, or ops) changes its own password; every other session of the account ends. */
@Path("/api/me/password")
@Authenticated
public class PasswordResource {

    /** {@code {"current","new"}}: {@code new} is a Java keyword, hence the name mapping. */
    public record PasswordChange(@NotBlank @Size(max = 72) String current,
            @JsonProperty("new") @NotBlank @Size(min = 8, max = 72) String next) {
    }

    private final ChangePassword change;
    private final CurrentUser user;
    private final RoutingContext routing;

    PasswordResource(ChangePassword change, CurrentUser user, RoutingContext routing) {
        this.change = change;
        this.user = user;
        this.routing = routing;
    }

    @PUT
    public Response change(@Valid @NotNull PasswordChange body) {
        change.change(user.accountId(), user.sessionId(), body.current(), body.next(), routing);
        return Response.noContent().build();
    }
}
