package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import io.holdfast.support.Api;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** What changes on the bettor's page without a reload: suspension greys a market; a live bet counts down. */
@QuarkusTest
class LiveMarketTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void shouldGreyASuspendedMarketOnTheBettorsPageWithoutReload() {
        Api.Bettor ben = Api.bettor(10_000);
        Api.Market market = BettorJourneyTest.market(Api.event(Api.unique("Suspense FC v Calm Town")), "Match result",
                "Suspense FC", "1.50", "Calm Town", "2.60");
        long selection = market.selections().get(0);
        try (Browser bettor = new Browser(base.toString()); Browser admin = new Browser(base.toString())) {
            bettor.logIn(ben.username(), ben.password());
            bettor.open("/");
            bettor.awaitLive();
            bettor.js("window.holdfastNoReload = 'still here'");
            assertThat(bettor.find("#market-" + market.id()).getAttribute("class")).doesNotContain("suspended");

            admin.logIn("admin", "admin");
            admin.open("/back-office/markets/" + market.id());
            admin.click("#suspend");
            admin.await("suspended", d -> admin.text("#market-status").equals("SUSPENDED") ? true : null);

            bettor.await("the market greyed", d -> bettor.find("#market-" + market.id()).getAttribute("class")
                    .contains("suspended") ? true : null);
            assertThat(bettor.find("#sel-" + selection).isEnabled()).isFalse();
            assertThat(bettor.js("return window.holdfastNoReload")).isEqualTo("still here");
            bettor.screenshot("home-suspended");

            admin.click("#resume");
            admin.await("open again", d -> admin.text("#market-status").equals("OPEN") ? true : null);
            bettor.await("the market open again", d -> bettor.find("#market-" + market.id()).getAttribute("class")
                    .contains("suspended") ? null : true);
            assertThat(bettor.find("#sel-" + selection).isEnabled()).isTrue();
            assertThat(bettor.js("return window.holdfastNoReload")).isEqualTo("still here");

            bettor.assertClean();
            admin.assertClean();
        }
    }

    @Test
    void shouldShowALiveBetPendingWithACountdownThenAccepted() {
        Api.Bettor cleo = Api.bettor(10_000);
        long event = Api.event(Api.unique("Live Rovers v Now City"));
        Api.Market market = BettorJourneyTest.market(event, "Next goal", "Live Rovers", "1.80", "Now City", "2.10");
        long selection = market.selections().get(1);
        try (Browser bettor = new Browser(base.toString()); Browser admin = new Browser(base.toString())) {
            admin.logIn("admin", "admin");
            admin.open("/back-office");
            admin.find("#event-" + event + " .start-event").click();
            admin.await("the event live", d -> admin.find("#event-" + event + " .badge").getText().equals("LIVE")
                    ? true : null);

            bettor.logIn(cleo.username(), cleo.password());
            bettor.open("/");
            bettor.awaitLive();
            bettor.click("#sel-" + selection);
            bettor.type("#stake", "3.00");
            bettor.click("#place");
            WebElement pending = bettor.await("a pending outcome",
                    d -> d.findElements(By.cssSelector("#slip-result .outcome.pending")).stream().findFirst().orElse(null));
            assertThat(pending.findElement(By.cssSelector(".countdown")).getText()).matches("[0-9]+");
            bettor.screenshot("bet-pending");
            bettor.await("accepted after the live delay", Duration.ofSeconds(15),
                    d -> d.findElements(By.cssSelector("#slip-result .outcome.accepted")).isEmpty() ? null : true);

            // a refusal says why: a stake above the balance
            bettor.click("#sel-" + selection);
            bettor.type("#stake", "5000.00");
            bettor.click("#place");
            WebElement refused = bettor.await("a refusal",
                    d -> d.findElements(By.cssSelector("#slip-result .outcome.refused")).stream().findFirst().orElse(null));
            assertThat(refused.getText()).contains("INSUFFICIENT_FUNDS");

            bettor.assertClean();
            admin.assertClean();
        }
    }
}
