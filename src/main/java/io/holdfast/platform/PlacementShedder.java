package io.holdfast.platform;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Sheds placement load instead of queueing it. At most {@code holdfast.shedding.placements} bet placements run on
 * this node at once, and at most {@code holdfast.shedding.placements-per-bettor} for one client; a placement beyond
 * either is answered at once with 429 RATE_LIMITED and {@code Retry-After: 1}, before authentication, parsing or a
 * database connection is spent on it. Past the saturating concurrency more work in flight only adds latency for
 * everyone (the database commits no faster), so the excess is refused and the accepted bets keep their latency.
 * A permit-based limit rather than a SmallRye {@code @Bulkhead}: it has to act on the event loop, ahead of the
 * JAX-RS method the bulkhead would wrap, and per client as well as in total.
 */
@ApplicationScoped
class PlacementShedder {

    private static final Logger LOG = Logger.getLogger(PlacementShedder.class);
    private static final String BODY = "{\"type\":\"https://holdfast.io/problems/rate-limited\",\"title\":\"Too Many Requests\","
            + "\"status\":429,\"detail\":\"Too many bets in flight; retry in a moment\",\"code\":\"RATE_LIMITED\"}";

    private final Semaphore permits;
    private final int perBettor;
    private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Counter shed;

    PlacementShedder(HoldfastConfig config, MeterRegistry metrics) {
        this.permits = new Semaphore(config.shedding().placements());
        this.perBettor = config.shedding().placementsPerBettor();
        this.shed = Counter.builder("holdfast.placements.shed").description("placements refused with 429 at once")
                .register(metrics);
        LOG.infof("Placement shedding: %d in flight per node, %d per bettor", config.shedding().placements(), perBettor);
    }

    void install(@Observes Router router) {
        router.post("/api/bets").order(Integer.MIN_VALUE + 1).handler(this::admit);
    }

    private void admit(RoutingContext ctx) {
        if (!permits.tryAcquire()) {
            refuse(ctx);
            return;
        }
        String client = client(ctx);
        AtomicInteger mine = inFlight.computeIfAbsent(client, k -> new AtomicInteger());
        if (mine.incrementAndGet() > perBettor) {
            release(client, mine);
            refuse(ctx);
            return;
        }
        ctx.addEndHandler(done -> release(client, mine));
        ctx.next();
    }

    private void release(String client, AtomicInteger mine) {
        permits.release();
        if (mine.decrementAndGet() <= 0) {
            inFlight.remove(client, mine);
        }
    }

    private void refuse(RoutingContext ctx) {
        shed.increment();
        ctx.response().setStatusCode(429).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader("Retry-After", "1").end(BODY);
    }

    /** Who places: the session cookie or the Basic credentials (a placement without either gets 401 anyway). */
    private static String client(RoutingContext ctx) {
        var cookie = ctx.request().getCookie(Sessions.COOKIE);
        if (cookie != null) {
            return "s:" + cookie.getValue();
        }
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        return authorization != null ? "b:" + authorization : "-";
    }
}
