package io.holdfast.platform;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;

/**
 * Sign-up costs a bcrypt hash and makes an account: the API's sign-up takes a slot of the client address's
 * allowance first, or answers 429 RATE_LIMITED with Retry-After. The page's sign-up takes its slot itself
 * ({@code web.LoginPages}), so that a refusal is a page a person can read, not problem+json.
 */
class SignupThrottle {

    private final LoginThrottle throttle;
    private final ClientOrigin origin;

    SignupThrottle(LoginThrottle throttle, ClientOrigin origin) {
        this.throttle = throttle;
        this.origin = origin;
    }

    static boolean isSignup(String method, String path) {
        return "POST".equals(method) && path.equals("/api/accounts");
    }

    @ServerRequestFilter
    public Uni<Response> limit(ContainerRequestContext request, HttpServerRequest http) {
        if (!isSignup(request.getMethod(), request.getUriInfo().getPath())) {
            return Uni.createFrom().nullItem();
        }
        String address = origin.address(http);
        // the compare-and-set waits for the other node: off the event loop
        return Uni.createFrom().<Response>item(() -> {
            throttle.signUp(address);
            return null;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
