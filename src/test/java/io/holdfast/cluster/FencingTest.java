package io.holdfast.cluster;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class FencingTest {

    @Test
    void shouldCommitNothingUnderAStaleEpochAndTurnNotReady() throws InterruptedException {
        Api.Bettor bettor = Api.bettor(5_000);
        Api.Market market = Api.market("2.00", "2.00");
        given().get("/q/health/ready").then().statusCode(200);
        long epoch = Db.longValue("SELECT epoch FROM cluster_lease");

        // another node took over behind this node's back, and renews its lease until the checks below are done (on a
        // busy machine they take longer than T, after which this node would rightly take the silent lease back)
        Db.update("UPDATE cluster_lease SET epoch = epoch + 1");
        long bumpedAt = Db.longValue("SELECT (extract(epoch FROM now()) * 1000000)::bigint");
        java.util.concurrent.atomic.AtomicBoolean otherRenews = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread other = new Thread(() -> {
            while (otherRenews.get()) {
                Db.update("UPDATE cluster_lease SET renewed_at = clock_timestamp() WHERE epoch = ?", epoch + 1);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "the-other-holder");
        other.start();
        String requestId = Api.unique("stale");
        try {
            Api.as(bettor).body(Map.of("requestId", requestId, "amount", 1_000)).post("/api/wallet/deposits").then()
                    .statusCode(503).contentType("application/problem+json").header("Retry-After", "1")
                    .body("code", equalTo("NOT_ACTIVE"));
            given().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'holdfast-role' }.data.role", equalTo("PASSIVE"));
            Api.as(bettor).body(Api.single(Api.unique("stale-bet"), 1_000, market.selections().get(0), "2.00", "NONE"))
                    .post("/api/bets").then().statusCode(503).body("code", equalTo("NOT_ACTIVE"));

            assertThat(Db.storedBalance(bettor.id())).isEqualTo(5_000);
            assertThat(Db.longValue("SELECT count(*) FROM ledger_entry WHERE request_id = ?", requestId)).isZero();
            assertThat(Db.longValue("SELECT count(*) FROM bet WHERE account_id = ?", bettor.id())).isZero();
            assertThat(Db.longValue("SELECT count(*) FROM ledger_entry WHERE epoch <= ? "
                    + "AND at >= to_timestamp(? / 1000000.0)", epoch, bumpedAt)).isZero();
            assertThat(Db.longValue("SELECT count(*) FROM audit_log WHERE action = 'ROLE_PASSIVE'")).isPositive();
        } finally {
            // whatever failed above, the other holder stops: else this node stays fenced for every later test
            otherRenews.set(false);
            other.join();
        }
        // nobody renews the bumped lease: after T of silence this node takes it over, with a new epoch
        // (ready already 2T/3 into the silence, when it expects the takeover: wait for the new epoch itself)
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/health/ready").statusCode() == 200
                && Db.longValue("SELECT epoch FROM cluster_lease") == epoch + 2);
        Api.as(bettor).body(Map.of("requestId", requestId, "amount", 1_000)).post("/api/wallet/deposits").then()
                .statusCode(201).body("balance", equalTo(6_000));
        assertThat(Db.longValue("SELECT epoch FROM ledger_entry WHERE request_id = ? AND account_id = ?", requestId,
                bettor.id())).isEqualTo(epoch + 2);
    }

    @Test
    void shouldRefuseAFencedNodesPanacheWritesLikeAnyOther() throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        Api.Bettor bettor = Api.bettor(2_000);
        Api.Market market = Api.market("2.00", "3.00");
        long selection = market.selections().get(0);
        String name = Api.unique("fenced-event");
        long lastAudit = Db.longValue("SELECT coalesce(max(id), 0) FROM audit_log");

        // another node holds the lease and keeps renewing it: this node stays fenced for as long as the check takes
        Db.update("UPDATE cluster_lease SET holder = 'node-z', epoch = epoch + 1, renewed_at = now(), "
                + "expires_at = now() + interval '2 seconds', handover_from = NULL");
        ScheduledExecutorService otherHolder = Executors.newSingleThreadScheduledExecutor();
        try {
            otherHolder.scheduleAtFixedRate(() -> Db.update("UPDATE cluster_lease SET renewed_at = now(), "
                    + "expires_at = now() + interval '2 seconds' WHERE holder = 'node-z'"), 100, 100, TimeUnit.MILLISECONDS);
            // each of these is written through Panache entities (persist, a changed field, a locked row)
            Api.admin().body(Map.of("name", name, "startsAt", "2030-01-01T18:00:00Z")).post("/api/admin/events")
                    .then().statusCode(503).header("Retry-After", "1").body("code", equalTo("NOT_ACTIVE"));
            Api.admin().body(Map.of("status", "BLOCKED")).post("/api/admin/accounts/" + bettor.id() + "/status")
                    .then().statusCode(503).body("code", equalTo("NOT_ACTIVE"));
            Api.admin().body(Map.of("odds", 2.50)).put("/api/admin/selections/" + selection + "/odds")
                    .then().statusCode(503).body("code", equalTo("NOT_ACTIVE"));
            Api.admin().post("/api/admin/markets/" + market.id() + "/suspend")
                    .then().statusCode(503).body("code", equalTo("NOT_ACTIVE"));

            assertThat(Db.longValue("SELECT count(*) FROM event WHERE name = ?", name)).isZero();
            assertThat(Db.longValue("SELECT count(*) FROM account WHERE id = ? AND status = 'ACTIVE'", bettor.id()))
                    .isEqualTo(1);
            assertThat(Db.longValue("SELECT version FROM selection WHERE id = ?", selection)).isEqualTo(1);
            assertThat(Db.longValue("SELECT count(*) FROM price_history WHERE selection_id = ?", selection)).isEqualTo(1);
            assertThat(Db.longValue("SELECT count(*) FROM market WHERE id = ? AND status = 'OPEN'", market.id()))
                    .isEqualTo(1);
            // nothing audited either, but the role change the lease itself records
            assertThat(Db.longValue("SELECT count(*) FROM audit_log WHERE id > ? AND action NOT LIKE 'ROLE_%'",
                    lastAudit)).isZero();
        } finally {
            otherHolder.shutdownNow();
            otherHolder.awaitTermination(5, TimeUnit.SECONDS);
        }
        // the other holder went silent: this node takes the lease over and the same writes go through
        await().atMost(Duration.ofSeconds(15)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        Api.admin().body(Map.of("status", "BLOCKED")).post("/api/admin/accounts/" + bettor.id() + "/status")
                .then().statusCode(200).body("status", equalTo("BLOCKED"));
    }

    @Test
    void shouldKeepRenewingTheLeaseWithTheDatabaseClock() throws InterruptedException {
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        long epoch = Db.longValue("SELECT epoch FROM cluster_lease");
        long first = Db.longValue("SELECT (extract(epoch FROM renewed_at) * 1000)::bigint FROM cluster_lease");
        Thread.sleep(700);
        long later = Db.longValue("SELECT (extract(epoch FROM renewed_at) * 1000)::bigint FROM cluster_lease");
        assertThat(later).isGreaterThan(first);
        assertThat(Db.longValue("SELECT epoch FROM cluster_lease")).isEqualTo(epoch);
        assertThat(Db.longValue("SELECT count(*) FROM cluster_lease WHERE expires_at > now()")).isEqualTo(1);
    }

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource dataSource;

    @Test
    void shouldEndTheAppsSessionsLeftIdleInATransaction() throws Exception {
        // a frozen holder's open transaction must not hold the lease row forever (docs/ARCHITECTURE.md §2)
        try (var c = dataSource.getConnection(); var st = c.createStatement();
                var rs = st.executeQuery("SHOW idle_in_transaction_session_timeout")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("10s");
        }
    }
}
