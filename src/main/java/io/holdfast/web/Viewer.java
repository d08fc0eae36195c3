package io.holdfast.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;

/** Who is looking at a page, for the layout's navigation ({@code inject:viewer} in templates). */
@Named("viewer")
@RequestScoped
public class Viewer {

    private final SecurityIdentity identity;
    private final RoutingContext routing;

    Viewer(SecurityIdentity identity, RoutingContext routing) {
        this.identity = identity;
        this.routing = routing;
    }

    public boolean isLoggedIn() {
        return !identity.isAnonymous();
    }

    public String getName() {
        return identity.isAnonymous() ? "" : identity.getPrincipal().getName();
    }

    public boolean isBettor() {
        return identity.hasRole("bettor");
    }

    public boolean isAdmin() {
        return identity.hasRole("admin");
    }

    public boolean isOps() {
        return identity.hasRole("ops");
    }

    public OddsFormat getOddsFormat() {
        Cookie cookie = routing.request().getCookie(OddsFormat.COOKIE);
        return OddsFormat.parse(cookie == null ? null : cookie.getValue());
    }
}
