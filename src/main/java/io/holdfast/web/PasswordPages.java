package io.holdfast.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import io.holdfast.platform.CurrentUser;
import io.holdfast.wallet.ChangePassword;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.ext.web.RoutingContext;

/** A bettor changes its password; every other session of the account ends (this one stays). */
@Path("/my/password")
@Produces(MediaType.TEXT_HTML)
public class PasswordPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance password(String message, String error);
    }

    private final ChangePassword change;
    private final CurrentUser user;
    private final RoutingContext routing;

    PasswordPages(ChangePassword change, CurrentUser user, RoutingContext routing) {
        this.change = change;
        this.user = user;
        this.routing = routing;
    }

    @GET
    public TemplateInstance form(@QueryParam("changed") String changed) {
        return Templates.password(changed != null ? "Password changed. Every other session of your account has ended." : null,
                null);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response change(@RestForm String current, @RestForm("new") String next, @RestForm String confirm) {
        if (current == null || current.isEmpty() || next == null || next.length() < 8 || next.length() > 72) {
            return Pages.page(422, Templates.password(null, "A new password has 8 to 72 characters."));
        }
        if (!next.equals(confirm)) {
            return Pages.page(422, Templates.password(null, "The two new passwords differ."));
        }
        return RefusedForm.attempt(() -> change.change(user.accountId(), user.sessionId(), current, next, routing),
                "/my/password?changed=1", e -> Templates.password(null, e.status() == 403
                        ? "The current password is wrong." : e.getMessage()));
    }
}
