package io.holdfast.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Security headers on pages and API alike; HSTS only over HTTPS; the CSRF cookie only on pages. */
@QuarkusTest
class SecurityHeadersTest {

    private static void hasTheCommonHeaders(Response r, String what) {
        assertThat(r.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
        assertThat(r.header("X-Frame-Options")).as(what).isEqualTo("DENY");
        assertThat(r.header("Referrer-Policy")).as(what).isEqualTo("same-origin");
        assertThat(r.header("Content-Security-Policy")).as(what).contains("frame-ancestors 'none'");
    }

    @Test
    void shouldSendTheSameProtectionsOnPagesAndApi() {
        Api.Bettor bettor = Api.bettor(0);
        for (Response r : List.of(given().get("/login"), given().get("/"), Api.as(bettor).get("/api/me"),
                given().get("/api/events"), given().get("/api/me"), given().body("{").contentType("application/json")
                        .post("/api/accounts"))) {
            hasTheCommonHeaders(r, r.statusCode() + " " + r.contentType());
            assertThat(r.header("Strict-Transport-Security")).as("no HSTS over plain HTTP").isNull();
        }
    }

    @Test
    void shouldSendHstsWhenTheClientUsedHttps() {
        for (String path : List.of("/login", "/api/events")) {
            Response r = given().header("X-Forwarded-Proto", "https").get(path);
            assertThat(r.header("Strict-Transport-Security")).as(path).contains("max-age=31536000");
            hasTheCommonHeaders(r, path);
        }
    }

    @Test
    void shouldSetTheCsrfCookieOnPagesOnly() {
        assertThat(given().get("/login").getCookie("holdfast-csrf")).as("a page with a form").isNotNull();
        Api.Bettor bettor = Api.bettor(0);
        for (Response r : List.of(given().get("/api/events"), Api.as(bettor).get("/api/me"),
                Api.as(bettor).get("/api/bets"))) {
            assertThat(r.getCookie("holdfast-csrf")).as("an API answer").isNull();
        }
    }
}
