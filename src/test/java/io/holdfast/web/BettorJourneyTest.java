package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import io.holdfast.support.Api;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A bettor's whole day in a real browser: sign up, deposit, see a price move live, place a single and an
 * accumulator, find them in my bets, and after the admin posts the results in the back office, see the
 * payouts in the wallet. Screenshots of the main pages go to docs/.
 */
@QuarkusTest
class BettorJourneyTest {

    @TestHTTPResource("/")
    URL base;

    static Browser bettor;
    static Browser admin;

    @AfterAll
    static void close() {
        if (bettor != null) {
            bettor.close();
        }
        if (admin != null) {
            admin.close();
        }
    }

    /** A market with named selections: name, odds, name, odds, … */
    static Api.Market market(long eventId, String name, String... namesAndOdds) {
        List<Map<String, Object>> selections = new ArrayList<>();
        for (int i = 0; i < namesAndOdds.length; i += 2) {
            selections.add(Map.of("name", namesAndOdds[i], "odds", new BigDecimal(namesAndOdds[i + 1])));
        }
        var json = Api.admin().body(Map.of("name", name, "selections", selections))
                .post("/api/admin/events/" + eventId + "/markets").then().statusCode(201).extract().jsonPath();
        return new Api.Market(json.getLong("id"), eventId, json.getList("selections.id", Long.class));
    }

    @Test
    void shouldTakeANewBettorFromSignUpToPaidOut() {
        String home = Api.unique("Harbour United v Old Town");
        String away = Api.unique("Riverside v Hilltop");
        Api.Market first = market(Api.event(home), "Match result", "Harbour United", "2.10", "Draw", "3.20",
                "Old Town", "3.50");
        Api.Market second = market(Api.event(away), "Match result", "Riverside", "1.90", "Hilltop", "2.00");
        long firstHome = first.selections().get(0);
        long secondHome = second.selections().get(0);

        bettor = new Browser(base.toString());
        admin = new Browser(base.toString());
        String username = Api.unique("ann").replace('-', '_');

        // sign up: lands on the wallet, logged in
        bettor.open("/signup");
        bettor.screenshot("signup");
        bettor.type("#username", username);
        bettor.type("#password", "ann-password");
        bettor.type("#confirm", "ann-password");
        bettor.click("#signup");
        bettor.awaitPath("/my/wallet");
        assertThat(bettor.text("#who")).isEqualTo(username);

        // deposit
        bettor.type("#deposit-amount", "100.00");
        bettor.click("#deposit");
        bettor.await("balance 100.00", d -> bettor.text("#balance").equals("100.00") ? true : null);

        // a price change arrives live and flashes up
        bettor.open("/");
        bettor.awaitLive();
        bettor.js("window.holdfastNoReload = 'still here'");
        Api.admin().body(Map.of("odds", 2.40)).put("/api/admin/selections/" + firstHome + "/odds").then().statusCode(200);
        bettor.await("the new price 2.40", d -> bettor.text("#sel-" + firstHome + " .odds").equals("2.40") ? true : null);
        assertThat(bettor.find("#sel-" + firstHome).getAttribute("data-last-move")).isEqualTo("up");
        assertThat(bettor.find("#sel-" + firstHome).getAttribute("class")).contains("flash-up");
        assertThat(bettor.js("return window.holdfastNoReload")).isEqualTo("still here");

        // a single on the first event's home win, 5.00 at 2.40
        bettor.click("#sel-" + firstHome);
        bettor.await("the slip has one leg", d -> bettor.all("#slip-legs li").size() == 1 ? true : null);
        bettor.type("#stake", "5.00");
        assertThat(bettor.text("#payout")).isEqualTo("12.00");
        bettor.screenshot("home");
        bettor.click("#place");
        WebElement single = bettor.await("the single's outcome",
                d -> d.findElements(By.cssSelector("#slip-result .outcome")).stream().findFirst().orElse(null));
        assertThat(single.getAttribute("class")).contains("accepted");
        bettor.await("the balance after the stake", d -> bettor.text("#balance").equals("95.00") ? true : null);
        bettor.await("the slip emptied", d -> bettor.all("#slip-legs li").isEmpty() ? true : null);

        // the slip survives a reload
        bettor.click("#sel-" + firstHome);
        bettor.click("#sel-" + secondHome);
        bettor.click("#mode-acca");
        bettor.type("#stake", "2.00");
        bettor.open("/");
        bettor.awaitLive();
        assertThat(bettor.all("#slip-legs li")).hasSize(2);
        assertThat(bettor.find("#mode-acca").isSelected()).isTrue();
        assertThat(bettor.find("#stake").getAttribute("value")).isEqualTo("2.00");
        assertThat(bettor.text("#payout")).isEqualTo("9.12"); // 2.00 × 2.40 × 1.90

        // the accumulator
        bettor.click("#place");
        WebElement acca = bettor.await("the accumulator's outcome",
                d -> d.findElements(By.cssSelector("#slip-result .outcome")).stream().findFirst().orElse(null));
        assertThat(acca.getAttribute("class")).contains("accepted");
        assertThat(acca.getText()).contains("Accumulator");
        bettor.screenshot("bet-placed");

        // both in my bets, open
        bettor.open("/my/bets");
        assertThat(bettor.all("#open-bets tr.bet")).hasSize(2);
        assertThat(bettor.text("#open-bets")).contains(home).contains(away);

        // the admin sees the liability and posts both results in the back office
        admin.logIn("admin", "admin");
        admin.awaitPath("/back-office");
        admin.screenshot("back-office-events");
        admin.open("/back-office/markets/" + first.id());
        assertThat(admin.text("#selection-" + firstHome + " .liability")).isEqualTo("21.12"); // 12.00 + 9.12
        admin.screenshot("back-office-market");
        admin.click("#winner-" + firstHome);
        admin.click("#post-result");
        admin.await("result posted", d -> admin.all(".flash.ok").isEmpty() ? null : true);
        admin.open("/back-office/markets/" + second.id());
        admin.click("#winner-" + secondHome);
        admin.click("#post-result");
        admin.await("result posted", d -> admin.all(".flash.ok").isEmpty() ? null : true);
        admin.await("market settled", Duration.ofSeconds(20), d -> {
            admin.open("/back-office/markets/" + second.id());
            return admin.text("#market-status").equals("SETTLED") ? true : null;
        });

        // the payouts reach the wallet: 100 − 5 − 2 + 12.00 + 9.12
        bettor.await("payouts in the wallet", Duration.ofSeconds(20), d -> {
            bettor.open("/my/wallet");
            return bettor.text("#balance").equals("114.12") ? true : null;
        });
        assertThat(bettor.all("#transactions tr.tx.PAYOUT")).hasSize(2);
        bettor.screenshot("wallet");
        bettor.open("/my/bets");
        assertThat(bettor.all("#settled-bets tr.bet.WON")).hasSize(2);
        assertThat(bettor.text("#settled-bets")).contains("12.00").contains("9.12");
        bettor.screenshot("my-bets");

        // the back office's other pages
        admin.open("/back-office/accounts?q=" + username);
        assertThat(admin.text("#accounts")).contains(username);
        admin.screenshot("back-office-accounts");
        admin.open("/back-office/audit");
        assertThat(admin.text("#audit")).contains("RESULT_POSTED");
        admin.screenshot("back-office-audit");

        // odds as fractions, also on the live stream
        Api.Market third = market(Api.event(Api.unique("Format Park v Odds Athletic")), "Match result", "Format Park",
                "2.00", "Odds Athletic", "1.80");
        long thirdHome = third.selections().get(0);
        bettor.open("/");
        // settled markets have left the odds page (they live on under My bets)
        assertThat(bettor.all("#sel-" + firstHome)).isEmpty();
        new org.openqa.selenium.support.ui.Select(bettor.find("#odds-format")).selectByValue("FRACTIONAL");
        bettor.await("fractional odds", d -> bettor.text("#sel-" + thirdHome + " .odds").equals("1/1") ? true : null);
        bettor.awaitLive();
        Api.admin().body(Map.of("odds", 2.50)).put("/api/admin/selections/" + thirdHome + "/odds").then().statusCode(200);
        bettor.await("a live fractional price", d -> bettor.text("#sel-" + thirdHome + " .odds").equals("3/2") ? true : null);
        bettor.open("/");
        new org.openqa.selenium.support.ui.Select(bettor.find("#odds-format")).selectByValue("AMERICAN");
        bettor.await("american odds", d -> bettor.text("#sel-" + thirdHome + " .odds").equals("+150") ? true : null);
        new org.openqa.selenium.support.ui.Select(bettor.find("#odds-format")).selectByValue("DECIMAL");
        bettor.await("decimal odds", d -> bettor.text("#sel-" + thirdHome + " .odds").equals("2.50") ? true : null);

        // the same pages on a phone
        bettor.phone();
        bettor.open("/");
        bettor.awaitLive();
        bettor.click("#sel-" + thirdHome);
        assertThat(bettor.text("#slip-jump")).contains("Bet slip (1)");
        bettor.screenshot("home-phone");
        bettor.click("#sel-" + thirdHome);
        bettor.desktop();

        bettor.assertClean();
        admin.assertClean();
    }
}
