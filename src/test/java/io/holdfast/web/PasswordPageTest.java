package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.junit.QuarkusTest;

/** The password page: the change takes, every other session ends, a wrong current password changes nothing. */
@QuarkusTest
class PasswordPageTest {

    @Test
    void shouldChangeThePasswordAndEndEveryOtherSession() {
        Api.Bettor bettor = Api.bettor(0);
        WebSecurityTest.Session here = new WebSecurityTest.Session(bettor.username(), bettor.password());
        WebSecurityTest.Session elsewhere = new WebSecurityTest.Session(bettor.username(), bettor.password());
        assertThat(here.request().get("/my/settings").then().statusCode(200).extract().asString())
                .contains("href=\"/my/password\"");
        assertThat(here.request().get("/my/password").then().statusCode(200).extract().asString())
                .contains("id=\"password-form\"");

        String wrong = here.form("/my/password", Map.of("current", "not-it-at-all", "new", "brand-new-pass-1",
                "confirm", "brand-new-pass-1"), true).then().statusCode(403).extract().asString();
        assertThat(wrong).contains("The current password is wrong");
        elsewhere.request().get("/my/bets").then().statusCode(200);

        here.form("/my/password", Map.of("current", bettor.password(), "new", "brand-new-pass-1",
                "confirm", "brand-new-pass-1"), true).then().statusCode(303);
        here.request().get("/my/bets").then().statusCode(200);
        elsewhere.request().get("/my/bets").then().statusCode(303);
        Api.anonymous().auth().preemptive().basic(bettor.username(), "brand-new-pass-1").get("/api/me").then()
                .statusCode(200);
    }
}
