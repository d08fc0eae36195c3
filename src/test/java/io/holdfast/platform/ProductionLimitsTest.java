package io.holdfast.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.holdfast.support.Http;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The limits the rest of the suite turns off: login and sign-up throttling (LoginThrottle: counted before bcrypt,
 * keyed by account@address and by address, a doubling delay instead of a lockout), the absolute session lifetime,
 * and placement shedding (PlacementShedder). Each test plays its own client addresses through X-Forwarded-For
 * (127.0.0.1 is the trusted proxy in the test profile).
 */
@QuarkusTest
@TestProfile(ProductionLimitsTest.Strict.class)
class ProductionLimitsTest {

    /**
     * The production allowances for logins; a small sign-up allowance (the suite's default is unlimited); a first
     * delay of 4 s so that 50 parallel requests on a busy machine all arrive before it runs out; sessions that
     * live 5 s (the absolute lifetime is tested here: it needs a profile of its own); placements shed beyond 4 in
     * flight per node and 1 per bettor, with at most 2 more waiting up to 1.5 s for a slot.
     */
    public static class Strict implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("holdfast.security.signups-per-address", "3", "holdfast.security.throttle-delay", "4s",
                    "holdfast.session.lifetime", "PT5S", "holdfast.shedding.placements", "4",
                    "holdfast.shedding.placements-per-bettor", "1", "holdfast.shedding.queue-wait", "1500ms",
                    "holdfast.shedding.queued", "2");
        }
    }

    @Inject
    MeterRegistry metrics;

    private static int address = 1;

    private static String nextAddress() {
        return "198.51.100." + (address++);
    }

    /** A new bettor, signed up from an address of its own (this profile allows 3 sign-ups per address). */
    private static Api.Bettor bettor(long deposit) {
        String username = Api.unique("limits").replace('-', '_');
        String password = "secret-" + username;
        long id = Api.anonymous().header("X-Forwarded-For", nextAddress())
                .body(Map.of("username", username, "password", password)).post("/api/accounts").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        Api.Bettor bettor = new Api.Bettor(id, username, password);
        if (deposit > 0) {
            Api.as(bettor).body(Map.of("requestId", Api.unique("dep"), "amount", deposit)).post("/api/wallet/deposits")
                    .then().statusCode(201);
        }
        return bettor;
    }

    private static Response login(String from, String username, String password) {
        return Api.anonymous().header("X-Forwarded-For", from).body(Map.of("username", username, "password", password))
                .post("/api/session");
    }

    private double passwordChecks() {
        return metrics.counter("holdfast.login.password.checks").count();
    }

    @Test
    void shouldCheckAtMostTheAllowanceOfFiftyParallelWrongPasswords() throws Exception {
        Api.Bettor bettor = bettor(0);
        String from = nextAddress();
        double before = passwordChecks();
        List<Callable<Integer>> guesses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String guess = "wrong-" + i;
            guesses.add(() -> login(from, bettor.username(), guess).statusCode());
        }
        List<Integer> statuses = Http.together(guesses);

        assertThat(passwordChecks() - before).as("bcrypt checks").isLessThanOrEqualTo(5);
        assertThat(statuses).containsOnly(401, 429);
        assertThat(statuses.stream().filter(s -> s == 429).count()).isGreaterThanOrEqualTo(45);
        login(from, bettor.username(), bettor.password()).then().statusCode(429)
                .header("Retry-After", notNullValue()).body("code", equalTo("RATE_LIMITED"));
    }

    @Test
    void shouldLetParallelRightPasswordsAllThrough() throws Exception {
        Api.Bettor bettor = bettor(0);
        List<Callable<Integer>> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            requests.add(() -> Api.as(bettor).get("/api/me").statusCode());
        }
        assertThat(Http.together(requests)).as("12 parallel Basic requests with the right password").containsOnly(200);
    }

    @Test
    void shouldSlowDownOneAddressGuessingOpsWithoutLockingOpsOut() throws Exception {
        String attacker = nextAddress();
        for (int i = 0; i < 5; i++) {
            login(attacker, "ops", "guess-" + i).then().statusCode(401);
        }
        Response refused = login(attacker, "ops", "ops");
        refused.then().statusCode(429).body("code", equalTo("RATE_LIMITED"));
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(3, 4);

        // ops itself, from its own address, is not slowed down by the attacker
        login(nextAddress(), "ops", "ops").then().statusCode(200);

        // a delay, not a lockout: once it ran out the attacker may try again, and the next delay is twice as long
        Thread.sleep(4_100);
        login(attacker, "ops", "guess-6").then().statusCode(401);
        Response again = login(attacker, "ops", "guess-7");
        again.then().statusCode(429);
        assertThat(Integer.parseInt(again.header("Retry-After"))).isBetween(7, 8);
    }

    @Test
    void shouldCountBasicAndSessionLoginsAlike() {
        Api.Bettor bettor = bettor(0);
        String from = nextAddress();
        for (int i = 0; i < 5; i++) {
            Api.anonymous().header("X-Forwarded-For", from).auth().preemptive().basic(bettor.username(), "bad-" + i)
                    .get("/api/me").then().statusCode(401);
        }
        login(from, bettor.username(), bettor.password()).then().statusCode(429).header("Retry-After", notNullValue());
    }

    @Test
    void shouldHashAgainstADummyForAnUnknownUsername() {
        String from = nextAddress();
        double before = passwordChecks();
        login(from, "nobody-" + System.nanoTime(), "whatever-1").then().statusCode(401)
                .body("code", equalTo("UNAUTHORIZED"));
        assertThat(passwordChecks() - before).as("a bcrypt check for an unknown username too").isEqualTo(1);
    }

    @Test
    void shouldSlowDownASprayOfUsernamesFromOneAddress() {
        String from = nextAddress();
        for (int i = 0; i < 30; i++) {
            login(from, "spray-" + i + "-" + System.nanoTime(), "x-password").then().statusCode(401);
        }
        login(from, "ops", "ops").then().statusCode(429).body("code", equalTo("RATE_LIMITED"));
        login(nextAddress(), "ops", "ops").then().statusCode(200);
    }

    @Test
    void shouldLimitSignUpsPerAddress() {
        String from = nextAddress();
        for (int i = 0; i < 3; i++) {
            signUp(from).then().statusCode(201);
        }
        signUp(from).then().statusCode(429).header("Retry-After", notNullValue()).body("code", equalTo("RATE_LIMITED"));
        signUp(nextAddress()).then().statusCode(201);
    }

    private static Response signUp(String from) {
        String name = Api.unique("signup").replace('-', '_');
        return Api.anonymous().header("X-Forwarded-For", from)
                .body(Map.of("username", name, "password", "long-enough-1")).post("/api/accounts");
    }

    @Test
    void shouldAnswerTheSignUpPageBeyondTheAllowanceWithAPageNotJson() {
        String from = nextAddress();
        io.restassured.filter.cookie.CookieFilter cookies = new io.restassured.filter.cookie.CookieFilter();
        String form = io.restassured.RestAssured.given().filter(cookies).header("X-Forwarded-For", from).get("/signup")
                .then().statusCode(200).extract().asString();
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"").matcher(form);
        assertThat(token.find()).as("a CSRF token in the sign-up form").isTrue();
        java.util.function.IntFunction<Response> signUpPage = i -> io.restassured.RestAssured.given().filter(cookies)
                .redirects().follow(false).header("X-Forwarded-For", from).contentType(io.restassured.http.ContentType.URLENC)
                .formParam("csrf-token", token.group(1)).formParam("username", Api.unique("page").replace('-', '_'))
                .formParam("password", "long-enough-" + i).formParam("confirm", "long-enough-" + i).post("/signup");
        for (int i = 0; i < 3; i++) {
            signUpPage.apply(i).then().statusCode(303);
        }
        Response refused = signUpPage.apply(3);
        refused.then().statusCode(429).header("Retry-After", notNullValue());
        assertThat(refused.contentType()).startsWith("text/html");
        assertThat(refused.asString()).contains("Too many sign-ups");
        signUp(from).then().statusCode(429).body("code", equalTo("RATE_LIMITED")); // one allowance for page and API
    }

    @Test
    void shouldEndASessionAtItsAbsoluteLifetimeHoweverBusy() throws Exception {
        Api.Bettor bettor = bettor(0);
        String cookie = login(nextAddress(), bettor.username(), bettor.password()).then().statusCode(200)
                .extract().cookie(Sessions.COOKIE);
        long start = System.nanoTime();
        int status = 200;
        while (status == 200 && System.nanoTime() - start < 15_000_000_000L) {
            status = io.restassured.RestAssured.given().cookie(Sessions.COOKIE, cookie).get("/api/me").statusCode();
            Thread.sleep(250);
        }
        assertThat(status).isEqualTo(401);
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the session ended").isBetween(3_500L, 7_000L);
    }

    @Test
    void shouldShedPlacementsBeyondTheNodesLimitAtOnce() throws Exception {
        Api.Market market = Api.market("2.00", "1.80");
        List<Api.Bettor> bettors = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            bettors.add(bettor(1_000));
        }
        List<Http.Answer> answers = List.of();
        for (int round = 0; round < 3 && answers.stream().noneMatch(a -> a.status() == 429); round++) {
            List<Callable<Http.Answer>> bets = new ArrayList<>();
            for (Api.Bettor b : bettors) {
                String body = "{\"requestId\":\"" + Api.unique("shed") + "\",\"stake\":10,\"oddsChange\":\"ANY\","
                        + "\"legs\":[{\"selectionId\":" + market.selections().get(0) + ",\"odds\":2.00}]}";
                bets.add(() -> Http.post(b, "/api/bets", body));
            }
            answers = Http.together(bets);
        }
        assertThat(answers).extracting(Http.Answer::status).containsOnly(201, 429).contains(201, 429);
        assertThat(answers.stream().filter(a -> a.status() == 429)).allMatch(a -> a.body().contains("RATE_LIMITED"));
        assertThat(metrics.counter("holdfast.placements.shed").count()).isPositive();
    }

    @Test
    void shouldShedASecondPlacementOfOneBettorInFlight() throws Exception {
        Api.Market market = Api.market("2.00", "1.80");
        Api.Bettor bettor = bettor(10_000);
        List<Http.Answer> answers = List.of();
        for (int round = 0; round < 3 && answers.stream().noneMatch(a -> a.status() == 429); round++) {
            List<Callable<Http.Answer>> bets = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String body = "{\"requestId\":\"" + Api.unique("mine") + "\",\"stake\":10,\"oddsChange\":\"ANY\","
                        + "\"legs\":[{\"selectionId\":" + market.selections().get(0) + ",\"odds\":2.00}]}";
                bets.add(() -> Http.post(bettor, "/api/bets", body));
            }
            answers = Http.together(bets);
        }
        assertThat(answers).extracting(Http.Answer::status).containsOnly(201, 429).contains(201, 429);
    }

    /**
     * A placement beyond the node's limit waits for a slot, briefly, rather than being refused: the node's 4 slots are
     * held by placements stuck on a market row this test locks (FOR UPDATE: what a result does), the fifth, on
     * another market, waits, and runs once the lock goes and the four finish. Its wait shows in its time.
     */
    @Test
    void shouldLetAPlacementBeyondTheLimitWaitForASlotAndThenPlaceIt() throws Exception {
        Api.Market held = Api.market("2.00", "1.80");
        Api.Market other = Api.market("2.00", "1.80");
        List<Api.Bettor> bettors = bettors(5, 1_000);
        try (var lock = new HeldMarket(held.id())) {
            var holders = holdTheSlots(bettors.subList(0, 4), held);
            long start = System.nanoTime();
            var fifth = CompletableFuture.supplyAsync(() -> Http.post(bettors.get(4), "/api/bets", slip(other)));
            Thread.sleep(600);
            assertThat(fifth).as("the fifth placement waits while the slots are held").isNotDone();
            lock.release();
            assertThat(fifth.get(20, TimeUnit.SECONDS).status()).isEqualTo(201);
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms the fifth took").isGreaterThanOrEqualTo(500);
            assertThat(holders.get(20, TimeUnit.SECONDS)).extracting(Http.Answer::status).containsOnly(201);
        }
        assertThat(metrics.counter("holdfast.placements.waited").count()).isPositive();
    }

    /** A placement whose wait for a slot runs out (1.5 s in this profile) is refused with 429, and changes nothing. */
    @Test
    void shouldRefuseAPlacementWhoseWaitForASlotRunsOut() throws Exception {
        Api.Market held = Api.market("2.00", "1.80");
        Api.Market other = Api.market("2.00", "1.80");
        List<Api.Bettor> bettors = bettors(5, 1_000);
        try (var lock = new HeldMarket(held.id())) {
            var holders = holdTheSlots(bettors.subList(0, 4), held);
            long start = System.nanoTime();
            Http.Answer fifth = Http.post(bettors.get(4), "/api/bets", slip(other));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertThat(fifth.status()).isEqualTo(429);
            assertThat(fifth.body()).contains("RATE_LIMITED");
            assertThat(took).as("ms until the fifth was refused").isBetween(1_200L, 6_000L);
            lock.release();
            assertThat(holders.get(20, TimeUnit.SECONDS)).extracting(Http.Answer::status).containsOnly(201);
        }
        assertThat(Api.balance(bettors.get(4))).isEqualTo(1_000);
    }

    /** {@code n} new bettors, each with {@code deposit}. */
    private static List<Api.Bettor> bettors(int n, long deposit) {
        List<Api.Bettor> bettors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            bettors.add(bettor(deposit));
        }
        return bettors;
    }

    private static String slip(Api.Market market) {
        return "{\"requestId\":\"" + Api.unique("slot") + "\",\"stake\":10,\"oddsChange\":\"ANY\","
                + "\"legs\":[{\"selectionId\":" + market.selections().get(0) + ",\"odds\":2.00}]}";
    }

    /** Placements of these bettors on the held market, all in flight and stuck on its row lock before it returns. */
    private static CompletableFuture<List<Http.Answer>> holdTheSlots(List<Api.Bettor> bettors, Api.Market held)
            throws Exception {
        List<Callable<Http.Answer>> bets = new ArrayList<>();
        for (Api.Bettor b : bettors) {
            bets.add(() -> Http.post(b, "/api/bets", slip(held)));
        }
        var answers = CompletableFuture.supplyAsync(() -> {
            try {
                return Http.together(bets);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> Db.longValue("SELECT count(*) FROM pg_stat_activity "
                + "WHERE wait_event_type = 'Lock' AND query LIKE '%open_market%'") == bettors.size());
        return answers;
    }

    /** The market's row locked FOR UPDATE by a transaction of the test's own, until released or closed. */
    private static final class HeldMarket implements AutoCloseable {
        private final Connection connection;

        HeldMarket(long marketId) throws Exception {
            connection = Db.connect();
            connection.setAutoCommit(false);
            try (var ps = connection.prepareStatement("SELECT id FROM market WHERE id = ? FOR UPDATE")) {
                ps.setLong(1, marketId);
                ps.executeQuery().close();
            }
        }

        void release() throws Exception {
            if (!connection.isClosed()) {
                connection.rollback();
                connection.close();
            }
        }

        @Override
        public void close() throws Exception {
            release();
        }
    }
}
