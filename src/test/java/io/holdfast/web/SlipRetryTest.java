package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The bet slip sends the same slip again with the same requestId: a bettor who placed a bet but never saw the
 * answer (a timeout, a dropped connection) and presses "Place" again gets that bet back, not a second one.
 */
@QuarkusTest
class SlipRetryTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void shouldResendAnUnansweredSlipWithItsRequestIdAndPlaceOneBet() {
        Api.Bettor gus = Api.bettor(10_000);
        Api.Market market = BettorJourneyTest.market(Api.event(Api.unique("Retry Rovers v Once City")), "Match result",
                "Retry Rovers", "2.50", "Once City", "1.60");
        long selection = market.selections().get(0);
        try (Browser bettor = new Browser(base.toString())) {
            bettor.logIn(gus.username(), gus.password());
            bettor.open("/");
            bettor.awaitLive();
            bettor.click("#sel-" + selection);
            bettor.type("#stake", "4.00");
            // the first answer is lost on its way to the page: the bet is placed, the page never hears of it
            bettor.js("window.lostAnswers = 0; document.body.addEventListener('htmx:beforeSwap', function (e) {"
                    + " if (e.detail.target.id === 'slip-result' && window.lostAnswers === 0) {"
                    + " window.lostAnswers = 1; e.detail.shouldSwap = false; } });");
            bettor.click("#place");
            bettor.await("the first answer, dropped", d -> Long.valueOf(1).equals(bettor.js("return window.lostAnswers"))
                    ? true : null);
            assertThat(bets(gus)).isEqualTo(1);
            String firstRequest = bettor.find("#slip-request").getAttribute("value");
            assertThat(bettor.all("#slip-legs li")).hasSize(1);

            bettor.click("#place"); // the bettor tries again
            WebElement outcome = bettor.await("the outcome",
                    d -> d.findElements(By.cssSelector("#slip-result .outcome")).stream().findFirst().orElse(null));
            assertThat(outcome.getAttribute("class")).contains("accepted");
            assertThat(bettor.find("#slip-request").getAttribute("value")).isEqualTo(firstRequest);
            assertThat(bets(gus)).as("one bet for the slip sent twice").isEqualTo(1);
            assertThat(Api.balance(gus)).isEqualTo(10_000 - 400);

            // a new slip is a new request
            bettor.await("the slip emptied", d -> bettor.all("#slip-legs li").isEmpty() ? true : null);
            bettor.click("#sel-" + selection);
            bettor.type("#stake", "4.00");
            bettor.click("#place");
            bettor.await("the second bet", d -> bets(gus) == 2 ? true : null);
            assertThat(bettor.find("#slip-request").getAttribute("value")).isNotEqualTo(firstRequest);
            bettor.assertClean();
        }
    }

    private static long bets(Api.Bettor bettor) {
        return Db.longValue("SELECT count(*) FROM bet WHERE account_id = ?", bettor.id());
    }
}
