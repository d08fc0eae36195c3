package io.holdfast.support;

import static io.restassured.RestAssured.given;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Drives Holdfast through its HTTP API, as the outside checks do. */
public final class Api {

    private static final AtomicLong SEQ = new AtomicLong(System.currentTimeMillis() % 1_000_000);

    public record Bettor(long id, String username, String password) {
    }

    public record Market(long id, long eventId, List<Long> selections) {
    }

    private Api() {
    }

    public static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    public static RequestSpecification anonymous() {
        return given().contentType(ContentType.JSON).accept(ContentType.JSON);
    }

    public static RequestSpecification as(Bettor bettor) {
        return anonymous().auth().preemptive().basic(bettor.username(), bettor.password());
    }

    public static RequestSpecification admin() {
        return anonymous().auth().preemptive().basic("admin", "admin");
    }

    public static RequestSpecification ops() {
        return anonymous().auth().preemptive().basic("ops", "ops");
    }

    public static Bettor bettor(long deposit) {
        String username = unique("bettor").replace('-', '_');
        String password = "secret-" + username;
        long id = anonymous().body(Map.of("username", username, "password", password))
                .post("/api/accounts").then().statusCode(201).extract().jsonPath().getLong("id");
        Bettor bettor = new Bettor(id, username, password);
        if (deposit > 0) {
            as(bettor).body(Map.of("requestId", unique("dep"), "amount", deposit))
                    .post("/api/wallet/deposits").then().statusCode(201);
        }
        return bettor;
    }

    public static long event(String name) {
        return admin().body(Map.of("name", name, "startsAt", "2030-01-01T18:00:00Z"))
                .post("/api/admin/events").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** A new event with one market whose selections have these odds. */
    public static Market market(String... odds) {
        return market(event(unique("event")), odds);
    }

    public static Market market(long eventId, String... odds) {
        List<Map<String, Object>> selections = new java.util.ArrayList<>();
        for (int i = 0; i < odds.length; i++) {
            selections.add(Map.of("name", "Selection " + (i + 1), "odds", new BigDecimal(odds[i])));
        }
        var json = admin().body(Map.of("name", unique("market"), "selections", selections))
                .post("/api/admin/events/" + eventId + "/markets").then().statusCode(201).extract().jsonPath();
        return new Market(json.getLong("id"), eventId, json.getList("selections.id", Long.class));
    }

    public static Map<String, Object> single(String requestId, long stake, long selectionId, String odds, String policy) {
        return Map.of("requestId", requestId, "stake", stake, "oddsChange", policy,
                "legs", List.of(Map.of("selectionId", selectionId, "odds", new BigDecimal(odds))));
    }

    public static long balance(Bettor bettor) {
        return as(bettor).get("/api/me").then().statusCode(200).extract().jsonPath().getLong("balance");
    }
}
