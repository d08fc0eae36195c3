package io.holdfast.betting;

import java.io.IOException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.validation.Validator;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.holdfast.cluster.ClusterState;
import io.holdfast.cluster.WriteGuard;
import io.holdfast.odds.OddsBook;
import io.holdfast.odds.Quote;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ProblemException;
import io.holdfast.platform.Sessions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.http.HttpServerStart;

/**
 * Keeps the placement path warm on the PASSIVE node, so that the first bets after a takeover are not also the
 * first this JVM ever runs: class loading, one-time initialisation (JAX-RS's RuntimeDelegate, found by a
 * ServiceLoader scan on the first {@code Response.status}), the first transaction, interpreted code. Measured
 * through HAProxy on a 2-core machine: the first bets on a cold new ACTIVE took 450-700 ms, most of the "≤ 1 s to
 * the first accepted bet" budget; rehearsed, about 200 ms.
 * <p>
 * A round parses, validates and places a slip on an open selection for an account that cannot exist; the write
 * guard refuses it with NOT_ACTIVE inside the transaction, which rolls back (the first try also validates the
 * resource method's parameters and builds its answer). Then it sends the same slip, with a session cookie that never
 * opens, to this node's own {@code POST /api/bets}, which answers 401 problem+json through the HTTP, security and
 * JAX-RS layers. Then it builds a bettor's session identity in process and writes whole placement transactions for
 * that bettor that can only roll back. Rounds run only while PASSIVE; should the node turn ACTIVE in the middle of
 * one, the in-process placement fails (no such account) and the written ones roll back: nothing is committed.
 * Metric: {@code holdfast_placement_rehearsals_total{outcome}}.
 */
@ApplicationScoped
class PlacementRehearsal {

    private static final Logger LOG = Logger.getLogger(PlacementRehearsal.class);
    /** No account has this id (ids come from a sequence starting at 1). */
    static final long NO_ACCOUNT = -1;
    /** In-process tries per round: about a millisecond each once warm (no SQL runs: the guard refuses first). */
    private static final int TRIES = 100;
    /** Requests to this node's own API per round. */
    private static final int HTTP_TRIES = 20;
    /**
     * A session cookie that never opens (48 zero bytes fail AES-GCM's tag check): the request still answers 401, after
     * the cookie parsing and the decryption a bettor's request goes through.
     */
    private static final String UNSEALABLE_COOKIE = Sessions.COOKIE + "="
            + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[48]);
    /** Placement transactions written and rolled back per round (each locks one bettor's row for milliseconds). */
    private static final int WRITE_TRIES = 5;
    /** The resource method whose parameter validation is rehearsed. */
    private static final Method PLACE;

    static {
        try {
            PLACE = BetResource.class.getMethod("place", PlaceBetCommand.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final PlaceBet placeBet;
    private final BetWriter writer;
    private final WriteGuard guard;
    private final Jdbc jdbc;
    private final OddsBook book;
    private final ClusterState cluster;
    private final ObjectMapper json;
    private final Validator validator;
    private final long minStake;
    private final String host;
    private final Counter refusedByGuard;
    private final Counter answered401;
    private final Counter writtenAndRolledBack;
    private final IdentityProviderManager identities;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private volatile URI selfBets;
    private boolean logged;

    PlacementRehearsal(PlaceBet placeBet, BetWriter writer, WriteGuard guard, Jdbc jdbc, OddsBook book,
            ClusterState cluster, ObjectMapper json, Validator validator, HoldfastConfig config, MeterRegistry metrics,
            IdentityProviderManager identities, @ConfigProperty(name = "quarkus.http.host") String host,
            @ConfigProperty(name = "quarkus.http.port") int port) {
        this.placeBet = placeBet;
        this.writer = writer;
        this.guard = guard;
        this.jdbc = jdbc;
        this.book = book;
        this.cluster = cluster;
        this.json = json;
        this.validator = validator;
        this.identities = identities;
        this.minStake = config.limits().minStake();
        this.host = host;
        // under test the port is random: it comes with the server-start event instead
        this.selfBets = LaunchMode.current() == LaunchMode.TEST ? null : betsAt(port);
        this.refusedByGuard = Counter.builder("holdfast_placement_rehearsals_total").tag("outcome", "refused-by-guard")
                .description("Rehearsed placements on the PASSIVE node (nothing is ever written)").register(metrics);
        this.answered401 = Counter.builder("holdfast_placement_rehearsals_total").tag("outcome", "http-401")
                .register(metrics);
        this.writtenAndRolledBack = Counter.builder("holdfast_placement_rehearsals_total")
                .tag("outcome", "written-and-rolled-back").register(metrics);
    }

    void onHttpStart(@ObservesAsync HttpServerStart started) {
        if (started.options().getPort() > 0) {
            selfBets = betsAt(started.options().getPort());
        }
    }

    private URI betsAt(int port) {
        return URI.create("http://" + host + ":" + port + "/api/bets");
    }

    @Scheduled(every = "${holdfast.betting.rehearsal-interval:10s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void rehearse() {
        var quote = book.anyOpen();
        if (quote.isEmpty() || cluster.isActive()) {
            return;
        }
        String slip = "{\"stake\":" + minStake + ",\"legs\":[{\"selectionId\":" + quote.get().selectionId()
                + ",\"odds\":" + quote.get().odds().toPlainString() + "}],\"oddsChange\":\"ANY\",\"requestId\":";
        int refused = inProcess(slip, quote.get());
        int unauthenticated = overHttp(slip);
        // a bettor with the stake (none yet on a fresh database): their session identity, then their placements
        Optional<Bettor> bettor = jdbc.queryOne("SELECT id, username FROM account WHERE status = 'ACTIVE' "
                + "AND balance >= ? ORDER BY id LIMIT 1", rs -> new Bettor(rs.getLong(1), rs.getString(2)), minStake);
        bettor.ifPresent(b -> authenticate(b.username()));
        int written = bettor.map(b -> writeAndRollBack(quote.get(), b.id())).orElse(0);
        if (!logged && refused > 0 && unauthenticated > 0 && written > 0) {
            logged = true;
            LOG.infof("Placement path rehearsed on the PASSIVE node: %d tries refused by the write guard, "
                    + "%d requests answered 401 by %s, %d placement transactions written and rolled back",
                    refused, unauthenticated, selfBets, written);
        }
    }

    private int inProcess(String slip, Quote quote) {
        int refused = 0;
        for (int i = 0; i < TRIES && !cluster.isActive(); i++) {
            try {
                PlaceBetCommand command = json.readValue(slip + "\"rehearsal-" + i + "\"}", PlaceBetCommand.class);
                if (!validator.validate(command).isEmpty()) {
                    return refused;
                }
                if (i == 0) {
                    // the resource method's parameter validation, as the validation interceptor runs it: its metadata
                    // for BetResource is built on first use (fresh node, first bets: 12-29 ms queued on it, JFR)
                    validator.forExecutables().validateParameters(new BetResource(null, null, null, null), PLACE,
                            new Object[] { command });
                    // the answer as the resource builds and writes it: JAX-RS's RuntimeDelegate is looked up on the
                    // first Response.status (70 ms on a fresh node's first bets, measured with JFR)
                    BetView view = new BetView(0, command.requestId(), BetStatus.ACCEPTED, minStake,
                            quote.odds(), minStake, null, Instant.now(), null, null, null, command.policy(),
                            List.of(new BetView.Leg(quote.selectionId(), quote.marketId(), quote.eventId(),
                                    quote.odds(), quote.version(), null)));
                    Response.status(201).entity(view).build();
                    json.writeValueAsString(view);
                }
                placeBet.place(NO_ACCOUNT, command);
                LOG.warn("A rehearsal placement was not refused; no more rehearsals this round");
                return refused;
            } catch (ProblemException e) {
                if (!"NOT_ACTIVE".equals(e.code())) {
                    LOG.debugf("Rehearsal refused with %s: %s", e.code(), e.getMessage());
                    return refused;
                }
                refused++;
                refusedByGuard.increment();
            } catch (Exception e) {
                LOG.debugf("Rehearsal ended: %s", e.toString());
                return refused;
            }
        }
        return refused;
    }

    /**
     * The placement transaction itself, as the ACTIVE runs it: the guard's lock and read, the one statement of CTEs
     * (market check, bet, debit, journal, legs, bet.placed event) for a bettor who has the stake, the answer read
     * back; in a transaction the guard lets through only to roll it back ({@link WriteGuard#rehearseAndRollBack}).
     * Without it the first real bets on a new ACTIVE paid for the first-time set-up of that code (measured: 300-600
     * ms under load, eight requests queued on the same class-initialisation locks). The bettor's row is locked for
     * the few milliseconds of the statement; a bet of theirs placed meanwhile waits for the rollback.
     */
    private int writeAndRollBack(Quote quote, long bettor) {
        int written = 0;
        for (int i = 0; i < WRITE_TRIES && !cluster.isActive(); i++) {
            var bet = new BetWriter.NewBet(bettor, "rehearsal-write-" + i, "rehearsal", minStake, quote.odds(),
                    OddsChangePolicy.ANY, quote.odds().multiply(BigDecimal.valueOf(minStake)).longValue(), null,
                    List.of(new BetWriter.Leg(quote.selectionId(), quote.marketId(), quote.eventId(), quote.odds(),
                            quote.version(), false)));
            var outcome = guard.rehearseAndRollBack(() -> writer.write(bet));
            if (outcome.failure() != null) {
                LOG.debugf("Rehearsed placement transaction failed: %s", outcome.failure().toString());
                return written;
            }
            outcome.result().ifPresent(view -> {
                try {
                    json.writeValueAsString(view);
                } catch (IOException e) {
                    LOG.debugf("Rehearsed answer not written: %s", e.toString());
                }
            });
            written++;
            writtenAndRolledBack.increment();
        }
        return written;
    }

    private record Bettor(long id, String username) {
    }

    /**
     * The identity a session's request gets, built in process and dropped: the HTTP rehearsal stops at the 401, so
     * without this the first bettor's request on a new ACTIVE created the security beans (the identity provider
     * manager and the session's identity provider, with their classes loaded from the jar) while HAProxy's resent
     * placements queued behind it on the event loop: 222 ms in one switchover to a node started 17 s before (JFR).
     */
    private void authenticate(String username) {
        try {
            identities.authenticateBlocking(new TrustedAuthenticationRequest(username));
        } catch (RuntimeException e) {
            LOG.debugf("Rehearsed authentication failed: %s", e.toString());
        }
    }

    private int overHttp(String slip) {
        URI self = selfBets;
        int unauthenticated = 0;
        for (int i = 0; i < HTTP_TRIES && self != null && !cluster.isActive(); i++) {
            try {
                HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(self).timeout(Duration.ofSeconds(2))
                        .header("Content-Type", "application/json").header("Cookie", UNSEALABLE_COOKIE)
                        .POST(HttpRequest.BodyPublishers.ofString(slip + "\"rehearsal-http-" + i + "\"}")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 401) {
                    unauthenticated++;
                    answered401.increment();
                }
            } catch (IOException e) {
                LOG.debugf("Rehearsal request failed: %s", e.toString());
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return unauthenticated;
    }
}
