package io.holdfast.web;

import java.net.URI;
import java.util.Locale;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import io.holdfast.platform.ClientOrigin;
import io.holdfast.platform.LoginThrottle;
import io.holdfast.platform.ProblemException;
import io.holdfast.platform.Sessions;
import io.holdfast.wallet.Accounts;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.PasswordCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.vertx.ext.web.RoutingContext;

/** Log in, sign up, log out: the same bcrypt users and the same encrypted session cookie as the API. */
@Path("/")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class LoginPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance login(String next, String username, String error);

        static native TemplateInstance signup(String username, String error);
    }

    private final IdentityProviderManager identities;
    private final Sessions sessions;
    private final RoutingContext routing;
    private final Accounts accounts;
    private final LoginThrottle throttle;
    private final ClientOrigin origin;

    LoginPages(IdentityProviderManager identities, Sessions sessions, RoutingContext routing, Accounts accounts,
            LoginThrottle throttle, ClientOrigin origin) {
        this.identities = identities;
        this.sessions = sessions;
        this.routing = routing;
        this.accounts = accounts;
        this.throttle = throttle;
        this.origin = origin;
    }

    @GET
    @Path("login")
    public TemplateInstance loginForm(@QueryParam("next") String next) {
        return Templates.login(safeNext(next), "", null);
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@RestForm String username, @RestForm String password, @RestForm String next) {
        String user = username == null ? "" : username.trim();
        if (user.isEmpty() || password == null || password.isEmpty() || user.length() > 64 || password.length() > 72) {
            return Pages.page(422, Templates.login(safeNext(next), user, "Enter your username and password."));
        }
        SecurityIdentity identity;
        try {
            identity = identities.authenticateBlocking(HttpSecurityUtils.setRoutingContextAttribute(
                    new UsernamePasswordAuthenticationRequest(user, new PasswordCredential(password.toCharArray())),
                    routing));
        } catch (AuthenticationFailedException | ProblemException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ProblemException p && p.status() == 429) {
                    return tooMany(p, Templates.login(safeNext(next), user, "Too many attempts: wait a little and try again."));
                }
            }
            return Pages.page(401, Templates.login(safeNext(next), user, "Wrong username or password."));
        }
        sessions.start(identity, routing);
        return Response.seeOther(URI.create(landing(identity, safeNext(next)))).build();
    }

    @GET
    @Path("signup")
    public TemplateInstance signupForm() {
        return Templates.signup("", null);
    }

    @POST
    @Path("signup")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signup(@RestForm String username, @RestForm String password, @RestForm String confirm) {
        String user = username == null ? "" : username.trim();
        try {
            // every sign-up from an address counts, made or not: each costs a bcrypt (as the API's, SignupThrottle)
            throttle.signUp(origin.address(routing));
        } catch (ProblemException e) {
            if (e.status() == 429) {
                return tooMany(e, Templates.signup(user, "Too many sign-ups from your network: wait a little and try again."));
            }
            throw e;
        }
        String error = null;
        if (!user.matches("[A-Za-z0-9_.-]{3,32}")) {
            error = "A username has 3 to 32 letters, digits, '_', '.' or '-'.";
        } else if (password == null || password.length() < 8 || password.length() > 72) {
            error = "A password has 8 to 72 characters.";
        } else if (!password.equals(confirm)) {
            error = "The two passwords differ.";
        }
        if (error != null) {
            return Pages.page(422, Templates.signup(user, error));
        }
        try {
            accounts.register(user, password);
        } catch (ProblemException e) {
            return Pages.page(e.status() == 409 ? 409 : e.status(), Templates.signup(user,
                    e.status() == 409 ? "That username is taken." : e.getMessage()));
        }
        SecurityIdentity identity = identities.authenticateBlocking(HttpSecurityUtils.setRoutingContextAttribute(
                new UsernamePasswordAuthenticationRequest(user, new PasswordCredential(password.toCharArray())),
                routing));
        sessions.start(identity, routing);
        return Response.seeOther(URI.create("/my/wallet?welcome=1")).build();
    }

    /** 429 as a page, with the Retry-After the throttle asked for. */
    private static Response tooMany(ProblemException refusal, TemplateInstance page) {
        return Response.status(429).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Retry-After", Math.max(1, refusal.retryAfter().toSeconds())).entity(page).build();
    }

    @POST
    @Path("logout")
    public Response logout() {
        sessions.end(routing);
        return Response.seeOther(URI.create("/")).build();
    }

    /** The odds spelling is a preference kept in a cookie, so it works before logging in too. */
    @POST
    @Path("prefs/odds-format")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response oddsFormat(@RestForm String format, @RestForm String next) {
        OddsFormat chosen = OddsFormat.parse(format);
        NewCookie cookie = new NewCookie.Builder(OddsFormat.COOKIE).value(chosen.name()).path("/")
                .maxAge(365 * 24 * 3600).sameSite(NewCookie.SameSite.LAX).httpOnly(true).build();
        return Response.seeOther(URI.create(safeNext(next))).cookie(cookie).build();
    }

    private static String landing(SecurityIdentity identity, String next) {
        if (!next.equals("/")) {
            return next;
        }
        if (identity.hasRole("admin")) {
            return "/back-office";
        }
        if (identity.hasRole("ops")) {
            return "/ops";
        }
        return "/";
    }

    /** Only a path on this site: never an absolute or protocol-relative URL (no open redirect). */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")
                || next.length() > 200 || next.toLowerCase(Locale.ROOT).contains("%0d")
                || next.chars().anyMatch(c -> c < 0x20)) {
            return "/";
        }
        return next;
    }
}
