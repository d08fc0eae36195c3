package io.holdfast.platform;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Sheds placement load instead of queueing it for long. At most {@code holdfast.shedding.placements} bet placements
 * run on this node at once, and at most {@code holdfast.shedding.placements-per-bettor} for one client. A placement
 * beyond the node's limit waits for a free slot, first come first served, at most
 * {@code holdfast.shedding.queue-wait} and with at most {@code holdfast.shedding.queued} others; past either, or
 * beyond the client's own limit, it is answered with 429 RATE_LIMITED and {@code Retry-After: 1}, before
 * authentication, parsing or a database connection is spent on it. Past the saturating concurrency more work in
 * flight only adds latency for everyone (the database commits no faster), so sustained excess is refused and the
 * accepted bets keep their latency; the short wait is for the database's own hiccups (a commit held 100-250 ms by
 * the synchronous standby piles up more than the limit at half the peak rate), which refusing at once turned into
 * 429s for bettors on a pair that was not overloaded (README, "Throughput on the pair").
 * <p>
 * A permit-based limit rather than a SmallRye {@code @Bulkhead}: it has to act on the event loop, ahead of the
 * JAX-RS method the bulkhead would wrap, and per client as well as in total. A waiting request is paused (its body
 * stays in Vert.x's buffer) and goes on, on its own event loop, when a finishing placement hands it its slot.
 */
@ApplicationScoped
class PlacementShedder {

    private static final Logger LOG = Logger.getLogger(PlacementShedder.class);
    private static final String BODY = "{\"type\":\"https://holdfast.io/problems/rate-limited\",\"title\":\"Too Many Requests\","
            + "\"status\":429,\"detail\":\"Too many bets in flight; retry in a moment\",\"code\":\"RATE_LIMITED\"}";

    private final Semaphore permits;
    private final int perBettor;
    private final long waitMillis;
    private final int maxQueued;
    private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Admission> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Counter shed;
    private final Counter waited;

    PlacementShedder(HoldfastConfig config, MeterRegistry metrics) {
        this.permits = new Semaphore(config.shedding().placements());
        this.perBettor = config.shedding().placementsPerBettor();
        this.waitMillis = config.shedding().queueWait().toMillis();
        this.maxQueued = config.shedding().queued();
        this.shed = Counter.builder("holdfast.placements.shed").description("placements refused with 429")
                .register(metrics);
        this.waited = Counter.builder("holdfast.placements.waited")
                .description("placements that waited for a slot and then ran").register(metrics);
        LOG.infof("Placement shedding: %d in flight per node, %d per bettor; %d more wait at most %d ms",
                config.shedding().placements(), perBettor, maxQueued, waitMillis);
    }

    void install(@Observes Router router) {
        router.post("/api/bets").order(Integer.MIN_VALUE + 1).handler(this::admit);
    }

    /** One placement through the shedder: it waits, runs (holding a slot), or was refused; ends exactly once. */
    private final class Admission {
        static final int WAITING = 0, RUNNING = 1, REFUSED = 2;
        final RoutingContext ctx;
        final Context context;
        final AtomicInteger state = new AtomicInteger(REFUSED);
        volatile long timer = -1;

        Admission(RoutingContext ctx) {
            this.ctx = ctx;
            this.context = Vertx.currentContext();
        }

        /** Hands this waiting placement a slot the caller holds: false when it is no longer waiting. */
        boolean run() {
            if (!state.compareAndSet(WAITING, RUNNING)) {
                return false;
            }
            queued.decrementAndGet();
            waited.increment();
            context.runOnContext(v -> {
                if (timer >= 0) {
                    context.owner().cancelTimer(timer);
                }
                ctx.request().resume();
                ctx.next();
            });
            return true;
        }

        /** Its wait ran out (or the client went away while waiting): false when it got a slot meanwhile. */
        boolean giveUp() {
            if (!state.compareAndSet(WAITING, REFUSED)) {
                return false;
            }
            queued.decrementAndGet();
            waiting.remove(this);
            return true;
        }
    }

    private void admit(RoutingContext ctx) {
        String client = client(ctx);
        AtomicInteger mine = inFlight.computeIfAbsent(client, k -> new AtomicInteger());
        Admission admission = new Admission(ctx);
        // every way out (answered, refused, the connection closed while waiting) frees what the placement holds
        ctx.addEndHandler(done -> {
            if (admission.state.get() == Admission.RUNNING) {
                handOver();
            } else {
                admission.giveUp();
            }
            release(client, mine);
        });
        if (mine.incrementAndGet() > perBettor) {
            refuse(ctx);
            return;
        }
        if (permits.tryAcquire()) {
            admission.state.set(Admission.RUNNING);
            ctx.next();
            return;
        }
        if (waitMillis <= 0 || queued.incrementAndGet() > maxQueued) {
            if (waitMillis > 0) {
                queued.decrementAndGet();
            }
            refuse(ctx);
            return;
        }
        ctx.request().pause();
        admission.state.set(Admission.WAITING);
        waiting.add(admission);
        admission.timer = ctx.vertx().setTimer(waitMillis, id -> {
            if (admission.giveUp()) {
                ctx.request().resume();
                refuse(ctx);
            }
        });
        // a slot freed between the refusal above and the queueing: take it for the first in line
        if (permits.tryAcquire()) {
            handOver();
        }
    }

    /** Gives the slot the caller holds to the first placement still waiting, or back to the pool. */
    private void handOver() {
        while (true) {
            Admission next;
            while ((next = waiting.poll()) != null) {
                if (next.run()) {
                    return;
                }
            }
            permits.release();
            // one queued after the poll above found the pool empty: it would wait out its time beside a free slot
            if (waiting.isEmpty() || !permits.tryAcquire()) {
                return;
            }
        }
    }

    private void release(String client, AtomicInteger mine) {
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
