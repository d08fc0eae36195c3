package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import io.holdfast.support.Api;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Back office and bettor self-service in a browser: settlement failure and retry, blocking, limits, self-exclusion. */
@QuarkusTest
class BackOfficeTest {

    @TestHTTPResource("/")
    URL base;

    /** The test double of the settlement module (io.holdfast.settlement.FaultySettlementCalculator) breaks these markets. */
    @SuppressWarnings("unchecked")
    static Set<Long> brokenMarkets() throws ReflectiveOperationException {
        var field = Class.forName("io.holdfast.settlement.FaultySettlementCalculator").getDeclaredField("BROKEN_MARKETS");
        field.setAccessible(true);
        return (Set<Long>) field.get(null);
    }

    @AfterEach
    void repair() throws ReflectiveOperationException {
        brokenMarkets().clear();
    }

    @Test
    void shouldCreateAnEventAddAMarketChangeAPriceAndFinishInTheBackOffice() {
        String name = Api.unique("Form Rovers v Typed United");
        try (Browser admin = new Browser(base.toString()); Browser bettor = new Browser(base.toString())) {
            admin.logIn("admin", "admin");
            admin.awaitPath("/back-office");
            admin.type("#event-name", name);
            admin.click("#create-event");
            WebElement event = admin.await("the new event", d -> d.findElements(By.xpath(
                    "//article[contains(@class,'event-admin')][.//h2[text()='" + name + "']]")).stream().findFirst()
                    .orElse(null));
            String eventId = event.getAttribute("id");
            admin.find("#" + eventId + " summary").click();
            admin.find("#" + eventId + " .add-market input[name=name]").sendKeys("Both teams score");
            admin.find("#" + eventId + " .add-market textarea").sendKeys("Yes @ 1.95\nNo @ 1.85");
            admin.find("#" + eventId + " .add-market button").click();
            admin.await("the new market", d -> admin.all("#" + eventId + " .manage-market").isEmpty() ? null : true);
            assertThat(admin.text("#" + eventId + " .markets")).contains("Both teams score").contains("Yes 1.95")
                    .contains("No 1.85");

            bettor.open("/");
            bettor.awaitLive();
            assertThat(bettor.text("#" + eventId)).contains(name).contains("Both teams score");

            admin.find("#" + eventId + " .manage-market").click();
            WebElement odds = admin.await("the market page", d -> d.findElements(By.cssSelector(".odds-input")).stream()
                    .findFirst().orElse(null));
            odds.clear();
            odds.sendKeys("2.05");
            admin.find(".odds-form button").click();
            admin.await("the new price", d -> admin.all(".flash.ok").isEmpty() ? null : true);
            assertThat(admin.text("#liability")).contains("2.05").contains("v2");
            WebElement yes = bettor.await("the new price on the bettor's page", d -> d.findElements(By.xpath(
                    "//button[contains(@class,'sel')][.//span[text()='Yes']]//span[contains(@class,'odds')][text()='2.05']"))
                    .stream().findFirst().orElse(null));
            assertThat(yes.getText()).isEqualTo("2.05");

            admin.open("/back-office");
            admin.find("#" + eventId + " .finish-event").click();
            admin.await("finished", d -> admin.find("#" + eventId + " .badge").getText().equals("FINISHED") ? true : null);
            assertThat(admin.text("#" + eventId + " .markets")).contains("CLOSED");
            admin.assertClean();
            bettor.assertClean();
        }
    }

    @Test
    void shouldShowAFailedSettlementWithItsReasonAndRetryIt() throws Exception {
        Api.Bettor dora = Api.bettor(10_000);
        Api.Market market = BettorJourneyTest.market(Api.event(Api.unique("Broken Calc v Sums United")), "Match result",
                "Broken Calc", "2.00", "Sums United", "1.80");
        long winner = market.selections().get(0);
        Api.as(dora).body(Api.single(Api.unique("bet"), 500, winner, "2.00", "NONE")).post("/api/bets").then().statusCode(201);
        brokenMarkets().add(market.id());

        try (Browser admin = new Browser(base.toString())) {
            admin.logIn("admin", "admin");
            admin.open("/back-office/markets/" + market.id());
            admin.click("#winner-" + winner);
            admin.click("#post-result");
            admin.await("the settlement failure", Duration.ofSeconds(20), d -> {
                admin.open("/back-office/markets/" + market.id());
                return admin.text("#market-status").equals("SETTLEMENT_FAILED") ? true : null;
            });
            assertThat(admin.text("#settlement-error")).contains("injected calculation fault");
            admin.screenshot("back-office-settlement-failed");

            brokenMarkets().clear();
            admin.click("#retry");
            admin.await("settled after the retry", Duration.ofSeconds(20), d -> {
                admin.open("/back-office/markets/" + market.id());
                return admin.text("#market-status").equals("SETTLED") ? true : null;
            });
            assertThat(admin.all("#settlement-error")).isEmpty();
            admin.assertClean();
        }
        Api.as(dora).get("/api/me").then().body("balance", org.hamcrest.Matchers.is(10_000 - 500 + 1_000));
    }

    @Test
    void shouldLetAnAdminBlockAnAccountAndTheBettorBeRefused() {
        Api.Bettor eve = Api.bettor(10_000);
        Api.Market market = BettorJourneyTest.market(Api.event(Api.unique("Blocked Town v Open City")), "Match result",
                "Blocked Town", "2.50", "Open City", "1.60");
        try (Browser admin = new Browser(base.toString()); Browser bettor = new Browser(base.toString())) {
            admin.logIn("admin", "admin");
            admin.open("/back-office/accounts");
            admin.type("#account-q", eve.username());
            admin.click("#search");
            // the search is a form GET: wait for its page, the unfiltered list before it shows only 100 accounts
            admin.await("the search result", d -> d.findElements(By.linkText(eve.username())).stream().findFirst().orElse(null))
                    .click();
            admin.awaitPath("/back-office/accounts/" + eve.id());
            new Select(admin.find("#status")).selectByValue("BLOCKED");
            admin.click("#set-status");
            admin.await("blocked", d -> admin.text("#account-status").equals("BLOCKED") ? true : null);
            admin.screenshot("back-office-account");

            bettor.logIn(eve.username(), eve.password());
            bettor.open("/");
            bettor.awaitLive();
            bettor.click("#sel-" + market.selections().get(0));
            bettor.type("#stake", "1.00");
            bettor.click("#place");
            WebElement refused = bettor.await("the refusal",
                    d -> d.findElements(By.cssSelector("#slip-result .outcome.refused")).stream().findFirst().orElse(null));
            assertThat(refused.getText()).contains("ACCOUNT_BLOCKED");
            admin.assertClean();
            bettor.assertClean();
        }
    }

    @Test
    void shouldLetABettorSetADailyLimitAndExcludeThemselves() {
        Api.Bettor finn = Api.bettor(10_000);
        Api.Market market = BettorJourneyTest.market(Api.event(Api.unique("Limit Lane v Cap Rovers")), "Match result",
                "Limit Lane", "2.20", "Cap Rovers", "1.70");
        try (Browser bettor = new Browser(base.toString())) {
            bettor.logIn(finn.username(), finn.password());
            bettor.open("/my/settings");
            bettor.type("#limit", "10.00");
            bettor.click("#save-limit");
            bettor.await("the new limit", d -> bettor.text("#daily-limit").equals("10.00") ? true : null);
            bettor.screenshot("settings");

            bettor.open("/");
            bettor.awaitLive();
            bettor.click("#sel-" + market.selections().get(1));
            bettor.type("#stake", "15.00");
            bettor.click("#place");
            WebElement refused = bettor.await("the refusal",
                    d -> d.findElements(By.cssSelector("#slip-result .outcome.refused")).stream().findFirst().orElse(null));
            assertThat(refused.getText()).contains("LIMIT_EXCEEDED");

            bettor.open("/my/settings");
            bettor.click("#exclusion-confirm");
            bettor.click("#self-exclude");
            bettor.await("self-excluded", d -> bettor.text("#account-status").equals("SELF_EXCLUDED") ? true : null);
            bettor.assertClean();
        }
        Api.as(finn).get("/api/me").then().body("status", org.hamcrest.Matchers.is("SELF_EXCLUDED"))
                .body("dailyStakeLimit", org.hamcrest.Matchers.is(1_000));
        Api.as(finn).body(Map.of("requestId", Api.unique("b"), "stake", 100, "legs",
                java.util.List.of(Map.of("selectionId", market.selections().get(1), "odds", 1.70)))).post("/api/bets")
                .then().statusCode(409).body("code", org.hamcrest.Matchers.is("SELF_EXCLUDED"));
    }
}
