package io.holdfast.betting;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.holdfast.platform.ProblemException;
import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The placement fences itself inside its one statement (WriteGuard.expected and confirm; no read of the lease row
 * before it): the statement takes the row {@code FOR KEY SHARE} and writes nothing unless its epoch is this node's.
 */
@QuarkusTest
class PlacementFencingTest {

    @Inject
    BetWriter writer;

    /**
     * Another node took the lease at a newer epoch a moment before the placement: nothing is written, the write is
     * refused NOT_ACTIVE, and this node steps down. The lease keeper renews every 100 ms and finds the newer epoch
     * too; a round in which it got there first (the write then refused before its statement, by the role: "not the
     * active node" rather than the statement's "no longer the active node") is tried again once this node is ACTIVE
     * again, which it is within a second (nobody renews the other node's lease).
     */
    @Test
    void shouldWriteNothingAndStepDownWhenItsOwnStatementFindsANewerEpoch() {
        Api.Bettor bettor = Api.bettor(5_000);
        Api.Market market = Api.market("2.00", "2.00");
        long selection = market.selections().get(0);
        boolean byTheStatement = false;
        for (int round = 0; round < 5 && !byTheStatement; round++) {
            await().atMost(Duration.ofSeconds(15)).until(PlacementFencingTest::active);
            long lastAudit = Db.longValue("SELECT coalesce(max(id), 0) FROM audit_log");
            String requestId = Api.unique("fenced-bet");
            var bet = new BetWriter.NewBet(bettor.id(), requestId, "fenced", 100, new BigDecimal("2.00"),
                    OddsChangePolicy.ANY, 200, null, List.of(new BetWriter.Leg(selection, market.id(),
                            market.eventId(), new BigDecimal("2.00"), 1, false)));
            // nobody renews this lease afterwards: within a second this node takes it back, with a newer epoch still
            Db.update("UPDATE cluster_lease SET holder = 'node-z', epoch = epoch + 1, renewed_at = now(), "
                    + "expires_at = now() + interval '2 seconds', handover_from = NULL");
            ProblemException refused = catchThrowableOfType(() -> writer.write(bet), ProblemException.class);

            assertThat(refused).as("the placement under another node's lease").isNotNull();
            assertThat(refused.code()).isEqualTo("NOT_ACTIVE");
            assertThat(Db.longValue("SELECT count(*) FROM bet WHERE request_id = ?", requestId)).isZero();
            assertThat(Db.storedBalance(bettor.id())).isEqualTo(5_000);
            assertThat(Db.ledgerSum(bettor.id())).isEqualTo(5_000);
            await().atMost(Duration.ofSeconds(5)).until(() -> Db.longValue("SELECT count(*) FROM audit_log "
                    + "WHERE id > ? AND action = 'ROLE_PASSIVE'", lastAudit) == 1);
            byTheStatement = refused.getMessage().contains("no longer the active node");
        }
        assertThat(byTheStatement).as("a round in which the placement's own statement found the newer epoch").isTrue();

        // the node took the lease back: the same placement goes through under the epoch it took
        await().atMost(Duration.ofSeconds(15)).until(PlacementFencingTest::active);
        Api.as(bettor).body(Api.single(Api.unique("after"), 100, selection, "2.00", "ANY")).post("/api/bets").then()
                .statusCode(201);
        assertThat(Db.longValue("SELECT max(epoch) FROM bet WHERE account_id = ?", bettor.id()))
                .isEqualTo(Db.longValue("SELECT epoch FROM cluster_lease"));
    }

    /** This node is ACTIVE (ready comes earlier: while it waits to take a silent lease over). */
    private static boolean active() {
        var ready = given().get("/q/health/ready");
        return ready.statusCode() == 200 && "ACTIVE".equals(
                ready.jsonPath().getString("checks.find { it.name == 'holdfast-role' }.data.role"));
    }
}
