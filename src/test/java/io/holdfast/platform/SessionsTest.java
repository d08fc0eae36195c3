package io.holdfast.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Login sessions end server-side: logout, log out everywhere, a password change, a block. */
@QuarkusTest
class SessionsTest {

    static Response login(String username, String password) {
        return Api.anonymous().body(Map.of("username", username, "password", password)).post("/api/session");
    }

    static String session(Api.Bettor bettor) {
        return login(bettor.username(), bettor.password()).then().statusCode(200).extract().cookie(Sessions.COOKIE);
    }

    static int me(String cookie) {
        return given().cookie(Sessions.COOKIE, cookie).accept(ContentType.JSON).get("/api/me").statusCode();
    }

    @Inject
    Sessions sessions;

    @Test
    void shouldDeleteOnlyTheRowsOfSessionsWhoseLifetimeEndedLongerAgoThanTheRetention() {
        Api.Bettor bettor = Api.bettor(0);
        for (int i = 0; i < 3; i++) {
            session(bettor);
        }
        String live = session(bettor);
        String user = bettor.username();
        long rows = Db.longValue("SELECT count(*) FROM login_session WHERE username = ?", user);
        // rows' lifetimes as if the sessions were old (newest first): the newest stays live, the next ended 29 days
        // ago, the next 31, every older one 40 (the cache keeps its own copy of each lifetime: only rows change here)
        Db.update("""
                UPDATE login_session s SET expires_at = now() - CASE WHEN x.n = 2 THEN interval '29 days'
                                                                     WHEN x.n = 3 THEN interval '31 days'
                                                                     ELSE interval '40 days' END
                FROM (SELECT id, row_number() OVER (ORDER BY created_at DESC) AS n FROM login_session WHERE username = ?) x
                WHERE s.id = x.id AND x.n >= 2""", user);

        // a batch of 1 makes it loop; other tests' rows are never 30 days past their lifetime
        assertThat(sessions.purgeExpired(java.time.Duration.ofDays(30), 1)).isEqualTo(rows - 2);

        assertThat(Db.longValue("SELECT count(*) FROM login_session WHERE username = ?", user)).isEqualTo(2);
        assertThat(Db.longValue("SELECT count(*) FROM login_session WHERE username = ? AND expires_at < now()", user))
                .as("the row 29 days past its lifetime stays").isEqualTo(1);
        assertThat(me(live)).isEqualTo(200);
    }

    @Test
    void shouldRefuseTheSameCookieReplayedAfterLogout() {
        Api.Bettor bettor = Api.bettor(0);
        String cookie = session(bettor);
        assertThat(me(cookie)).isEqualTo(200);
        given().cookie(Sessions.COOKIE, cookie).delete("/api/session").then().statusCode(204);
        assertThat(me(cookie)).as("the copied cookie after logout").isEqualTo(401);
        assertThat(Db.longValue("SELECT count(*) FROM login_session WHERE username = '" + bettor.username()
                + "' AND ended_why = 'LOGOUT'")).isEqualTo(1);
    }

    @Test
    void shouldEndEverySessionOfTheAccountOnLogOutEverywhere() {
        Api.Bettor bettor = Api.bettor(0);
        Api.Bettor other = Api.bettor(0);
        String first = session(bettor);
        String second = session(bettor);
        String someoneElse = session(other);
        given().cookie(Sessions.COOKIE, first).delete("/api/me/sessions").then().statusCode(204);
        assertThat(me(first)).isEqualTo(401);
        assertThat(me(second)).isEqualTo(401);
        assertThat(me(someoneElse)).as("another account's session").isEqualTo(200);
    }

    @Test
    void shouldEndEveryOtherSessionWhenThePasswordChanges() {
        Api.Bettor bettor = Api.bettor(0);
        String here = session(bettor);
        String elsewhere = session(bettor);
        given().cookie(Sessions.COOKIE, here).contentType(ContentType.JSON)
                .body(Map.of("current", "not-the-password", "new", "a-new-password-1")).put("/api/me/password")
                .then().statusCode(403).body("code", equalTo("WRONG_PASSWORD"));
        assertThat(me(elsewhere)).as("a wrong current password changes nothing").isEqualTo(200);

        given().cookie(Sessions.COOKIE, here).contentType(ContentType.JSON)
                .body(Map.of("current", bettor.password(), "new", "a-new-password-1")).put("/api/me/password")
                .then().statusCode(204);
        assertThat(me(here)).as("the session that changed it").isEqualTo(200);
        assertThat(me(elsewhere)).as("every other session").isEqualTo(401);
        login(bettor.username(), bettor.password()).then().statusCode(401);
        login(bettor.username(), "a-new-password-1").then().statusCode(200);
    }

    @Test
    void shouldEndTheSessionsOfABlockedAccountWhichMaySignInAgainOnlyToLook() {
        Api.Bettor bettor = Api.bettor(0);
        String cookie = session(bettor);
        Api.admin().body(Map.of("status", "BLOCKED")).post("/api/admin/accounts/" + bettor.id() + "/status")
                .then().statusCode(200);
        assertThat(me(cookie)).isEqualTo(401);
        // a blocked account signs in again to see its balance and history (issue 10); its writes are refused
        String fresh = session(bettor);
        assertThat(me(fresh)).isEqualTo(200);
        Api.as(bettor).body(Map.of("requestId", "blocked-dep", "amount", 100)).post("/api/wallet/deposits")
                .then().statusCode(409).body("code", equalTo("ACCOUNT_BLOCKED"));
    }

    @Test
    void shouldMarkTheCookieSecureOnlyWhenTheLoadBalancerSaysTheClientUsedHttps() {
        Api.Bettor bettor = Api.bettor(0);
        String plain = Api.anonymous().body(Map.of("username", bettor.username(), "password", bettor.password()))
                .post("/api/session").then().statusCode(200).extract().header("Set-Cookie");
        String https = Api.anonymous().header("X-Forwarded-Proto", "https")
                .body(Map.of("username", bettor.username(), "password", bettor.password()))
                .post("/api/session").then().statusCode(200).extract().header("Set-Cookie");
        assertThat(plain).containsIgnoringCase("HttpOnly").contains("SameSite=Lax").doesNotContain("Secure");
        assertThat(https).containsIgnoringCase("HttpOnly").contains("Secure");
    }

    @Test
    void shouldRefuseAnAlteredCookie() {
        Api.Bettor bettor = Api.bettor(0);
        String cookie = session(bettor);
        char last = cookie.charAt(cookie.length() - 1);
        String altered = cookie.substring(0, cookie.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThat(me(altered)).isEqualTo(401);
    }
}
