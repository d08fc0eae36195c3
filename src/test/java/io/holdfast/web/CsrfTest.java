package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * CSRF on every state-changing page route, with or without a body: a POST without a form and without the token
 * header is refused with 403 and changes nothing; the same POST with the token (form field or header) goes through.
 */
@QuarkusTest
class CsrfTest {

    /** A body-less POST: no content type, no entity, only the browser's cookies. */
    private static int bare(WebSecurityTest.Session s, String path) {
        return s.request().post(path).statusCode();
    }

    private static int withHeader(WebSecurityTest.Session s, String path) {
        return s.request().header(CsrfGuard.HEADER, s.token).post(path).statusCode();
    }

    @Test
    void shouldRefuseEveryBodylessBackOfficePostWithoutTheToken() {
        WebSecurityTest.Session admin = new WebSecurityTest.Session("admin", "admin");
        Api.Market market = Api.market("2.00", "1.80");
        long event = market.eventId();
        for (String path : List.of("/back-office/events/" + event + "/start", "/back-office/events/" + event + "/finish",
                "/back-office/markets/" + market.id() + "/suspend", "/back-office/markets/" + market.id() + "/resume",
                "/back-office/markets/" + market.id() + "/retry")) {
            assertThat(bare(admin, path)).as("POST " + path + " without a token").isEqualTo(403);
            assertThat(admin.request().contentType(ContentType.JSON).body("{}").post(path).statusCode())
                    .as("POST " + path + " as JSON without a token").isEqualTo(403);
        }
        Api.admin().get("/api/admin/markets/" + market.id()).then().body("status", is("OPEN"));
        Api.admin().get("/api/events/" + event).then().body("status", is("SCHEDULED"));

        assertThat(withHeader(admin, "/back-office/markets/" + market.id() + "/suspend")).isEqualTo(303);
        Api.admin().get("/api/admin/markets/" + market.id()).then().body("status", is("SUSPENDED"));
        assertThat(withHeader(admin, "/back-office/events/" + event + "/start")).isEqualTo(303);
        Api.admin().get("/api/events/" + event).then().body("status", is("LIVE"));
    }

    @Test
    void shouldRefuseABodylessLogoutAndSelfExclusionWithoutTheToken() {
        Api.Bettor bettor = Api.bettor(0);
        WebSecurityTest.Session session = new WebSecurityTest.Session(bettor.username(), bettor.password());
        assertThat(bare(session, "/my/settings/self-exclusion")).isEqualTo(403);
        Api.as(bettor).get("/api/me").then().body("status", is("ACTIVE"));
        assertThat(bare(session, "/logout")).isEqualTo(403);
        session.request().get("/my/bets").then().statusCode(200);
        assertThat(withHeader(session, "/logout")).isEqualTo(303);
        session.request().get("/my/bets").then().statusCode(303);
    }

    @Test
    void shouldRefuseEveryFormRouteWithoutItsToken() {
        Api.Bettor bettor = Api.bettor(1_000);
        WebSecurityTest.Session session = new WebSecurityTest.Session(bettor.username(), bettor.password());
        WebSecurityTest.Session admin = new WebSecurityTest.Session("admin", "admin");
        WebSecurityTest.Session ops = new WebSecurityTest.Session("ops", "ops");
        Api.Market market = Api.market("2.00", "1.80");
        Map<WebSecurityTest.Session, List<String>> routes = Map.of(
                session, List.of("/slip/place", "/my/wallet/deposit", "/my/settings/limit", "/my/settings/self-exclusion",
                        "/prefs/odds-format", "/my/bets/1/cash-out/quote", "/my/bets/1/cash-out", "/logout", "/login",
                        "/signup"),
                admin, List.of("/back-office/events", "/back-office/events/" + market.eventId() + "/markets",
                        "/back-office/selections/" + market.selections().get(0) + "/odds",
                        "/back-office/markets/" + market.id() + "/result", "/back-office/accounts/" + bettor.id() + "/status"),
                ops, List.of("/ops/switchover"));
        routes.forEach((who, paths) -> {
            for (String path : paths) {
                assertThat(who.form(path, Map.of("x", "1"), false).statusCode()).as("form " + path + " without a token")
                        .isIn(400, 403);
                assertThat(bare(who, path)).as("bare POST " + path).isEqualTo(403);
            }
        });
        Api.as(bettor).get("/api/me").then().body("balance", is(1_000)).body("status", is("ACTIVE"));
        Api.admin().get("/api/admin/markets/" + market.id()).then().body("status", is("OPEN"));
    }
}
