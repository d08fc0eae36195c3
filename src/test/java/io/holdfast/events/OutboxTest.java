package io.holdfast.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.holdfast.cluster.WriteGuard;
import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/** Every committed business write leaves its events in the outbox, in its own transaction; a rolled-back one none. */
@QuarkusTest
class OutboxTest {

    @Inject
    Outbox outbox;

    @Inject
    WriteGuard guard;

    private static long events(String type, long key) {
        return Db.longValue("SELECT count(*) FROM event_outbox WHERE type = ? AND aggregate_key = ?", type,
                Long.toString(key));
    }

    private static String field(String type, long key, String field) {
        return Db.string("SELECT payload ->> ? FROM event_outbox WHERE type = ? AND aggregate_key = ? ORDER BY id DESC "
                + "LIMIT 1", field, type, Long.toString(key));
    }

    /** Each ledger journal of the account has exactly one wallet.journal event, and no event names another. */
    private static void assertOneEventPerJournal(long accountId) {
        long journals = Db.longValue("SELECT count(DISTINCT journal_id) FROM ledger_entry WHERE account_id = ?", accountId);
        assertThat(journals).isPositive();
        assertThat(Db.longValue("""
                SELECT count(*) FROM event_outbox WHERE type = 'wallet.journal' AND aggregate_key = ?""",
                Long.toString(accountId))).isEqualTo(journals);
        assertThat(Db.longValue("""
                SELECT count(DISTINCT (payload ->> 'journalId')::bigint) FROM event_outbox e
                JOIN ledger_entry l ON l.journal_id = (e.payload ->> 'journalId')::bigint AND l.account_id = ?
                WHERE e.type = 'wallet.journal' AND e.aggregate_key = ?""", accountId, Long.toString(accountId)))
                .isEqualTo(journals);
    }

    @Test
    void shouldRecordAnEventForEveryCommittedWriteOnEveryPath() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.as(bettor).body(Map.of("requestId", Api.unique("wd"), "amount", 500)).post("/api/wallet/withdrawals")
                .then().statusCode(201);
        Api.Market market = Api.market("2.50", "3.00");
        long winner = market.selections().get(0);
        assertThat(events("market.status-changed", market.id())).isEqualTo(1);
        assertThat(field("market.status-changed", market.id(), "to")).isEqualTo("OPEN");

        Api.admin().body(Map.of("odds", 2.60)).put("/api/admin/selections/" + winner + "/odds").then().statusCode(200);
        assertThat(events("market.price-changed", market.id())).isEqualTo(1);
        assertThat(field("market.price-changed", market.id(), "odds")).isEqualTo("2.60");
        assertThat(field("market.price-changed", market.id(), "version")).isEqualTo("2");

        String requestId = Api.unique("b");
        long betId = Api.as(bettor).body(Api.single(requestId, 1_000, winner, "2.60", "NONE")).post("/api/bets")
                .then().statusCode(201).extract().jsonPath().getLong("id");
        // the same request again answers the same bet and records nothing
        Api.as(bettor).body(Api.single(requestId, 1_000, winner, "2.60", "NONE")).post("/api/bets").then().statusCode(200);
        assertThat(events("bet.placed", betId)).isEqualTo(1);
        assertThat(field("bet.placed", betId, "requestId")).isEqualTo(requestId);
        assertThat(field("bet.placed", betId, "stake")).isEqualTo("1000");
        assertThat(field("bet.placed", betId, "odds")).isEqualTo("2.60");
        assertThat(field("bet.placed", betId, "placedAt")).endsWith("Z");
        assertThat(Db.longValue("SELECT jsonb_array_length(payload -> 'legs') FROM event_outbox WHERE type = 'bet.placed' "
                + "AND aggregate_key = ?", Long.toString(betId))).isEqualTo(1);

        Api.admin().post("/api/admin/markets/" + market.id() + "/suspend").then().statusCode(200);
        Api.admin().post("/api/admin/markets/" + market.id() + "/resume").then().statusCode(200);
        Api.admin().body(Map.of("winners", List.of(winner))).post("/api/admin/markets/" + market.id() + "/result")
                .then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> events("bet.settled", betId) == 1
                && Db.string("SELECT status FROM market WHERE id = ?", market.id()).equals("SETTLED"));

        assertThat(field("bet.settled", betId, "status")).isEqualTo("WON");
        assertThat(field("bet.settled", betId, "payout")).isEqualTo("2600");
        assertThat(Db.string("""
                SELECT string_agg(payload ->> 'to', ',' ORDER BY id) FROM event_outbox
                WHERE type = 'market.status-changed' AND aggregate_key = ?""", Long.toString(market.id())))
                .isEqualTo("OPEN,SUSPENDED,OPEN,CLOSED,SETTLED");
        assertOneEventPerJournal(bettor.id());
        assertThat(Db.longValue("SELECT count(*) FROM event_outbox e, cluster_lease l WHERE e.aggregate_key = ? "
                + "AND e.aggregate = 'bet' AND e.epoch <> l.epoch", Long.toString(betId)))
                .as("every event carries the epoch it was written under").isZero();
    }

    @Test
    void shouldRecordTheOutcomeOfALiveBetAndItsRefund() {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("1.95", "1.95");
        Api.admin().post("/api/admin/events/" + market.eventId() + "/start").then().statusCode(200);
        long accepted = Api.as(bettor).body(Api.single(Api.unique("live"), 1_000, market.selections().get(0), "1.95",
                "NONE")).post("/api/bets").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(10)).until(() -> events("bet.accepted", accepted) == 1);

        long rejected = Api.as(bettor).body(Api.single(Api.unique("live"), 1_000, market.selections().get(1), "1.95",
                "NONE")).post("/api/bets").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.admin().post("/api/admin/markets/" + market.id() + "/suspend").then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> events("bet.rejected", rejected) == 1);

        assertThat(field("bet.rejected", rejected, "reason")).isEqualTo("MARKET_SUSPENDED");
        assertThat(events("bet.accepted", rejected)).isZero();
        assertOneEventPerJournal(bettor.id());
    }

    @Test
    void shouldRecordNothingForARefusedWrite() {
        Api.Bettor bettor = Api.bettor(1_000);
        Api.Market market = Api.market("2.00", "2.00");
        String mine = "SELECT count(*) FROM event_outbox WHERE aggregate = 'account' AND aggregate_key = ? "
                + "OR aggregate = 'market' AND aggregate_key = ?";
        long before = Db.longValue(mine, Long.toString(bettor.id()), Long.toString(market.id()));
        String requestId = Api.unique("b");

        Api.as(bettor).body(Api.single(requestId, 5_000, market.selections().get(0), "2.00", "NONE")).post("/api/bets")
                .then().statusCode(422);
        Api.as(bettor).body(Map.of("requestId", Api.unique("wd"), "amount", 5_000)).post("/api/wallet/withdrawals")
                .then().statusCode(409);
        // resuming an open market changes nothing
        Api.admin().post("/api/admin/markets/" + market.id() + "/resume").then().statusCode(200);

        assertThat(Db.longValue(mine, Long.toString(bettor.id()), Long.toString(market.id()))).isEqualTo(before);
        assertThat(Db.longValue("SELECT count(*) FROM event_outbox WHERE payload ->> 'requestId' = ?", requestId)).isZero();
    }

    @Test
    void shouldLoseTheEventsOfATransactionThatRollsBack() {
        long key = System.nanoTime();
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            guard.check();
            outbox.record(Outbox.Type.MARKET_STATUS_CHANGED, key, Outbox.payload("marketId", key, "to", "OPEN"));
            throw new IllegalStateException("the business write failed after its event was recorded");
        })).hasStackTraceContaining("the business write failed");
        assertThat(events("market.status-changed", key)).isZero();

        QuarkusTransaction.requiringNew().run(() -> {
            guard.check();
            outbox.record(Outbox.Type.MARKET_STATUS_CHANGED, key, Outbox.payload("marketId", key, "to", "OPEN"));
        });
        assertThat(events("market.status-changed", key)).isEqualTo(1);
        assertThat(Db.longValue("SELECT count(*) FROM event_outbox WHERE aggregate_key = ? AND xid IS NOT NULL "
                + "AND event_id IS NOT NULL", Long.toString(key))).isEqualTo(1);
    }

    @Test
    void shouldRefuseAnEventOutsideAFencedTransaction() {
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> outbox.record(
                Outbox.Type.MARKET_STATUS_CHANGED, 1, Outbox.payload("marketId", 1))))
                .hasStackTraceContaining("without the write guard");
    }
}
