package io.holdfast.platform;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.PersistentLoginManager;
import io.vertx.ext.web.RoutingContext;

/**
 * The login session: Quarkus' encrypted cookie (the one its form login uses), keyed from configuration
 * so both nodes read each other's cookies and a login survives a failover.
 */
@ApplicationScoped
@ModuleApi
public class SessionCookies {

    public static final String COOKIE = "holdfast-session";

    private final PersistentLoginManager manager;

    SessionCookies(HoldfastConfig config) {
        long timeout = config.session().timeout().toMillis();
        // renew the cookie once a minute of activity so an active session does not expire mid-use
        this.manager = new PersistentLoginManager(config.session().encryptionKey(), COOKIE, timeout, 60_000L,
                true, "LAX", "/", -1L, null);
    }

    /** The username of a valid, unexpired session cookie, or null. */
    public PersistentLoginManager.RestoreResult restore(RoutingContext ctx) {
        return manager.restore(ctx);
    }

    public void save(SecurityIdentity identity, RoutingContext ctx, PersistentLoginManager.RestoreResult previous) {
        manager.save(identity, ctx, previous, ctx.request().isSSL());
    }

    public void clear(RoutingContext ctx) {
        manager.clear(ctx);
    }
}
