package io.holdfast.platform;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/**
 * What the static headers of application.properties ({@code quarkus.http.header.*}: nosniff, frame denial,
 * Referrer-Policy, CSP) cannot say: HSTS only when the client's connection was HTTPS (to this node, or to the
 * trusted load balancer: HSTS over plain HTTP is ignored by browsers and would only mislead), and the CSRF cookie
 * only on pages (the API takes no forms; its clients need no token).
 */
@ApplicationScoped
class SecurityHeaders {

    static final String HSTS = "max-age=31536000; includeSubDomains";
    private static final String CSRF_COOKIE = "holdfast-csrf=";

    private final ClientOrigin origin;

    SecurityHeaders(ClientOrigin origin) {
        this.origin = origin;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            boolean https = origin.https(ctx);
            String path = ctx.normalizedPath();
            boolean page = !(path.startsWith("/api/") || path.equals("/api") || path.startsWith("/q/"));
            ctx.addHeadersEndHandler(ignored -> {
                var headers = ctx.response().headers();
                if (https) {
                    headers.set("Strict-Transport-Security", HSTS);
                }
                if (!page) {
                    ctx.response().removeCookie(CSRF_COOKIE.substring(0, CSRF_COOKIE.length() - 1), false);
                    List<String> cookies = headers.getAll("Set-Cookie");
                    if (cookies.stream().anyMatch(c -> c.startsWith(CSRF_COOKIE))) {
                        headers.remove("Set-Cookie");
                        cookies.stream().filter(c -> !c.startsWith(CSRF_COOKIE)).forEach(c -> headers.add("Set-Cookie", c));
                    }
                }
            });
            ctx.next();
        });
    }
}
