package io.holdfast.platform;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

/**
 * Login sessions that can end. A login makes a {@code login_session} row (the truth, so a session outlives a
 * failover and ends for good) and sets a sealed cookie naming it ({@link SessionCookie}). Every request with the
 * cookie is checked against the replicated {@code login-sessions} cache, which holds each session's state as a
 * plain string ({@code L:<expiresAtMillis>} live, {@code E} ended); a miss reads the row once. Ending a session
 * writes the row first, then the cache, on both nodes before the call returns: the same cookie replayed on either
 * node is refused from then on. Besides the idle timeout (renewed in the cookie at most once a minute) every
 * session has an absolute lifetime.
 */
@ApplicationScoped
@ModuleApi
public class Sessions {

    public static final String COOKIE = "holdfast-session";
    /** The identity attribute that carries the id of the session a request came with. */
    public static final String SESSION_ID = "holdfast.session-id";

    static final String ENDED = "E";
    private static final long RENEW_AFTER_MILLIS = 60_000;

    /** A session the cookie of a request names, still alive. */
    public record Live(String sessionId, String username, long idleUntilMillis) {
    }

    private final Jdbc jdbc;
    private final Cache<String, String> states;
    private final SessionCookie sealer;
    private final ClientOrigin origin;
    private final long idleMillis;
    private final Duration lifetime;

    Sessions(Jdbc jdbc, EmbeddedCacheManager caches, HoldfastConfig config, ClientOrigin origin) {
        this.jdbc = jdbc;
        this.states = caches.getCache(Caches.SESSIONS);
        this.sealer = new SessionCookie(config.session().encryptionKey());
        this.origin = origin;
        this.idleMillis = config.session().timeout().toMillis();
        this.lifetime = config.session().lifetime();
    }

    /** Starts a session for a user who just proved its password, and sets its cookie on the answer. */
    @Transactional
    public String start(SecurityIdentity identity, RoutingContext ctx) {
        Long accountId = identity.getAttribute(CurrentUser.ACCOUNT_ID);
        String username = identity.getPrincipal().getName();
        String id = SessionCookie.newSessionId();
        Instant expires = jdbc.queryOne("INSERT INTO login_session (id, account_id, username, expires_at) "
                + "VALUES (?, ?, ?, now() + make_interval(secs => ?)) RETURNING expires_at",
                rs -> Jdbc.instant(rs, "expires_at"), id, accountId, username, (double) lifetime.toSeconds()).orElseThrow();
        remember(id, "L:" + expires.toEpochMilli(), expires.toEpochMilli());
        writeCookie(ctx, new Live(id, username, System.currentTimeMillis() + idleMillis));
        return id;
    }

    /**
     * The live session this request's cookie names, or empty (no cookie, forged, idle too long, expired, ended).
     * Answers from the replicated cache; only a miss reads the database, so call it off the event loop then.
     */
    public Optional<Live> restore(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(COOKIE);
        if (cookie == null) {
            return Optional.empty();
        }
        var payload = opened(ctx, cookie.getValue());
        long now = System.currentTimeMillis();
        if (payload.isEmpty() || payload.get().idleUntilMillis() < now) {
            return Optional.empty();
        }
        String state = states.get(payload.get().sessionId());
        if (state == null) {
            state = load(payload.get().sessionId());
        }
        if (state.equals(ENDED) || Long.parseLong(state.substring(2)) <= now) {
            return Optional.empty();
        }
        return Optional.of(new Live(payload.get().sessionId(), payload.get().username(), payload.get().idleUntilMillis()));
    }

    /** True when the cache alone can answer for this request's cookie (no database read needed). */
    public boolean cached(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(COOKIE);
        if (cookie == null) {
            return true;
        }
        return opened(ctx, cookie.getValue()).map(p -> states.containsKey(p.sessionId())).orElse(true);
    }

    /**
     * The cookie's payload, decrypted once per request: {@link #cached} and then {@link #restore} both need it (an
     * AES-GCM key set-up and decryption each, 4 % of a placement's CPU samples). Kept on the request only, under the
     * cookie's own value, so a request can never see another cookie's payload.
     */
    private Optional<SessionCookie.Payload> opened(RoutingContext ctx, String value) {
        Object[] memo = ctx.get(OPENED);
        if (memo != null && value.equals(memo[0])) {
            @SuppressWarnings("unchecked")
            Optional<SessionCookie.Payload> payload = (Optional<SessionCookie.Payload>) memo[1];
            return payload;
        }
        Optional<SessionCookie.Payload> payload = sealer.open(value);
        ctx.put(OPENED, new Object[] { value, payload });
        return payload;
    }

    private static final String OPENED = "holdfast.session-cookie-opened";

    /** Pushes the idle timeout forward, in a fresh cookie at most once a minute of activity. */
    public void renew(RoutingContext ctx, Live session) {
        long now = System.currentTimeMillis();
        if (session.idleUntilMillis() - now < idleMillis - RENEW_AFTER_MILLIS) {
            writeCookie(ctx, new Live(session.sessionId(), session.username(), now + idleMillis));
        }
    }

    /** Logout: ends the session this request's cookie names (on every node) and deletes the cookie. */
    @Transactional
    public void end(RoutingContext ctx) {
        Cookie cookie = ctx.request().getCookie(COOKIE);
        if (cookie != null) {
            sealer.open(cookie.getValue()).ifPresent(p -> end(p.sessionId(), "LOGOUT"));
        }
        clearCookie(ctx);
    }

    /** Ends every live session of the account, but the one named (the request that asked), if any. */
    @Transactional
    public int endAllOf(long accountId, String exceptSessionId, String why) {
        List<String> ended = jdbc.query("UPDATE login_session SET ended_at = now(), ended_why = ? "
                + "WHERE account_id = ? AND ended_at IS NULL AND expires_at > now() AND id <> ? RETURNING id",
                rs -> rs.getString("id"), why, accountId, exceptSessionId == null ? "" : exceptSessionId);
        ended.forEach(id -> remember(id, ENDED, System.currentTimeMillis() + lifetime.toMillis()));
        return ended.size();
    }

    /** Ends every live session of the user (an admin blocked the account, say). */
    @Transactional
    public int endAllOf(String username, String why) {
        List<String> ended = jdbc.query("UPDATE login_session SET ended_at = now(), ended_why = ? "
                + "WHERE lower(username) = lower(?) AND ended_at IS NULL AND expires_at > now() RETURNING id",
                rs -> rs.getString("id"), why, username);
        ended.forEach(id -> remember(id, ENDED, System.currentTimeMillis() + lifetime.toMillis()));
        return ended.size();
    }

    /**
     * Deletes, a batch at a time, the rows of sessions whose absolute lifetime ended longer than {@code keep} ago:
     * no cookie can name them any more (a cookie never outlives its row's lifetime, and a missing row reads as
     * ended), so they are kept only as a recent history. Returns how many rows went.
     */
    public int purgeExpired(Duration keep, int batch) {
        int purged = 0;
        int deleted;
        do {
            deleted = jdbc.update("DELETE FROM login_session WHERE id IN (SELECT id FROM login_session "
                    + "WHERE expires_at < now() - make_interval(secs => ?) LIMIT ?)", (double) keep.toSeconds(), batch);
            purged += deleted;
        } while (deleted == batch);
        return purged;
    }

    /** The session a request came with (its identity carries the id), or null for HTTP Basic. */
    public static String idOf(SecurityIdentity identity) {
        return identity.getAttribute(SESSION_ID);
    }

    public void clearCookie(RoutingContext ctx) {
        ctx.response().addCookie(Cookie.cookie(COOKIE, "").setPath("/").setMaxAge(0).setHttpOnly(true)
                .setSameSite(CookieSameSite.LAX).setSecure(origin.https(ctx)));
    }

    private void end(String id, String why) {
        jdbc.update("UPDATE login_session SET ended_at = now(), ended_why = ? WHERE id = ? AND ended_at IS NULL", why, id);
        remember(id, ENDED, System.currentTimeMillis() + lifetime.toMillis());
    }

    /** A cache miss: the row decides; putIfAbsent, so an ending written meanwhile is never overwritten by "live". */
    private String load(String id) {
        String state = jdbc.queryOne("SELECT CASE WHEN ended_at IS NULL AND expires_at > now() THEN 'L:' || "
                + "(extract(epoch FROM expires_at) * 1000)::bigint ELSE 'E' END AS state FROM login_session WHERE id = ?",
                rs -> rs.getString("state"), id).orElse(ENDED);
        long until = state.equals(ENDED) ? System.currentTimeMillis() + lifetime.toMillis() : Long.parseLong(state.substring(2));
        String raced = ReplicatedWrite.orLocal(states,
                c -> c.putIfAbsent(id, state, Math.max(1, until - System.currentTimeMillis()), TimeUnit.MILLISECONDS));
        return raced != null ? raced : state;
    }

    private void remember(String id, String state, long untilMillis) {
        ReplicatedWrite.orLocal(states,
                c -> c.put(id, state, Math.max(1, untilMillis - System.currentTimeMillis()), TimeUnit.MILLISECONDS));
    }

    private void writeCookie(RoutingContext ctx, Live session) {
        ctx.response().addCookie(Cookie.cookie(COOKIE, sealer.seal(new SessionCookie.Payload(session.sessionId(),
                session.username(), session.idleUntilMillis()))).setPath("/").setHttpOnly(true)
                .setSameSite(CookieSameSite.LAX).setSecure(origin.https(ctx)));
    }
}
