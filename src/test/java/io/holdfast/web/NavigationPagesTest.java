package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import io.holdfast.support.Api;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** A bettor finds events by sport, competition and search, sees what is live first, and opens an event's markets. */
@QuarkusTest
class NavigationPagesTest {

    @TestHTTPResource("/")
    URL base;

    static long event(String name, String sport, String competition) {
        return Api.admin().body(Map.of("name", name, "startsAt", "2030-01-01T18:00:00Z", "sport", sport,
                "competition", competition)).post("/api/admin/events").then().statusCode(201).extract().jsonPath()
                .getLong("id");
    }

    @Test
    void shouldNavigateSportsAndCompetitionsWithLiveEventsFirstAndSearch() {
        String sport = Api.unique("Hurling");
        String team = Api.unique("Kilkenny Cats");
        long league = event(team + " v Tipperary", sport, "All-Ireland League");
        long cup = event("Cork v Galway", sport, "Munster Cup");
        long live = event("Clare v Limerick", sport, "Munster Cup");
        long settled = event("Wexford v Waterford", sport, "Munster Cup");
        Api.Market leagueMarket = BettorJourneyTest.market(league, "Match result", team, "1.80", "Tipperary", "2.00");
        BettorJourneyTest.market(cup, "Match result", "Cork", "2.20", "Galway", "1.70");
        Api.Market liveMarket = BettorJourneyTest.market(live, "Match result", "Clare", "2.60", "Limerick", "1.50");
        Api.Market settledMarket = BettorJourneyTest.market(settled, "Match result", "Wexford", "2.00", "Waterford", "1.80");
        Api.admin().post("/api/admin/events/" + live + "/start").then().statusCode(200);
        Api.admin().body(Map.of("winners", List.of(settledMarket.selections().get(0))))
                .post("/api/admin/markets/" + settledMarket.id() + "/result").then().statusCode(202);

        try (Browser bettor = new Browser(base.toString())) {
            bettor.open("/");
            bettor.click("#sports a[data-sport='" + sport + "']");
            bettor.await("the sport's page", d -> bettor.all("#heading").isEmpty() ? null : true);
            assertThat(bettor.text("#heading")).contains(sport);
            // live now comes first and holds the live event; upcoming ones are grouped by competition
            assertThat(bettor.all("#live-now #event-" + live)).hasSize(1);
            assertThat(bettor.all("#upcoming #event-" + live)).isEmpty();
            List<WebElement> competitions = bettor.all("#upcoming .sport-group[data-sport='" + sport + "'] .competition");
            assertThat(competitions).extracting(c -> c.getAttribute("data-competition"))
                    .containsExactly("All-Ireland League", "Munster Cup");
            assertThat(bettor.all(".competition[data-competition='Munster Cup'] #event-" + cup)).hasSize(1);
            // a settled market is not on the odds page, nor is an event with nothing left to bet on
            assertThat(bettor.all("#event-" + settled)).isEmpty();
            assertThat(bettor.all("#market-" + settledMarket.id())).isEmpty();
            assertThat((Boolean) bettor.js("return document.querySelector('#live-now').compareDocumentPosition("
                    + "document.querySelector('#upcoming')) === Node.DOCUMENT_POSITION_FOLLOWING")).isTrue();

            // the competition narrows it down
            bettor.click("#sports a[data-competition='All-Ireland League']");
            bettor.await("the competition's page", d -> bettor.text("#heading").contains("All-Ireland League") ? true : null);
            assertThat(bettor.all("#event-" + league)).hasSize(1);
            assertThat(bettor.all("#event-" + cup)).isEmpty();
            assertThat(bettor.all("#event-" + live)).isEmpty();

            // the search box finds a team
            bettor.open("/");
            bettor.type("#search", team);
            bettor.click("#search-go");
            bettor.await("the search results", d -> bettor.all("#heading").isEmpty() ? null : true);
            assertThat(bettor.text("#heading")).contains(team);
            assertThat(bettor.all("article.event")).extracting(e -> e.getAttribute("id"))
                    .containsExactly("event-" + league);
            assertThat(bettor.all("#sel-" + leagueMarket.selections().get(0))).hasSize(1);
            bettor.screenshot("search");

            // and the live event's card leads to its page
            bettor.open("/?sport=" + sport);
            // the seventh page with a live stream in a row: it loads (holdfast.js closes a stream on leaving its page)
            bettor.click("#event-" + live + " a.event-name");
            bettor.awaitPath("/events/" + live);
            assertThat(bettor.text("#event-name")).isEqualTo("Clare v Limerick");
            assertThat(bettor.text("#event-status")).isEqualTo("LIVE");
            assertThat(bettor.all("#sel-" + liveMarket.selections().get(1))).hasSize(1);
            bettor.awaitLive();
            bettor.assertClean();
        }
    }

    @Test
    void shouldShowEveryMarketOfAnEventGroupedWithPricesMovingLiveAndSuspensionShown() {
        String name = Api.unique("Lakers v Celtics");
        long event = event(name, "Basketball", "NBA");
        Api.Market winner = BettorJourneyTest.market(event, "Money line", "Lakers", "1.70", "Celtics", "2.15");
        Api.Market total = BettorJourneyTest.market(event, "Total points over/under 221.5", "Over", "1.90", "Under", "1.90");
        Api.Market spread = BettorJourneyTest.market(event, "Handicap Lakers -4.5", "Lakers -4.5", "1.95", "Celtics +4.5",
                "1.85");
        Api.Market special = BettorJourneyTest.market(event, "First to score", "Lakers", "1.80", "Celtics", "1.95");
        long over = total.selections().get(0);

        try (Browser bettor = new Browser(base.toString())) {
            bettor.open("/?q=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8));
            // the home card shows the main market and says how many more there are
            assertThat(bettor.all("#event-" + event + " #market-" + winner.id())).hasSize(1);
            assertThat(bettor.all("#event-" + event + " #market-" + total.id())).isEmpty();
            assertThat(bettor.find("#event-" + event + " a.more").getAttribute("data-more")).isEqualTo("3");
            bettor.click("#event-" + event + " a.more");
            bettor.awaitPath("/events/" + event);
            bettor.awaitLive();
            assertThat(bettor.all(".market-group")).extracting(g -> g.getAttribute("data-group"))
                    .containsExactly("Main", "Goals and totals", "Handicaps", "More markets");
            assertThat(bettor.all(".market-group[data-group='Handicaps'] #market-" + spread.id())).hasSize(1);
            assertThat(bettor.all(".market-group[data-group='More markets'] #market-" + special.id())).hasSize(1);
            bettor.js("window.holdfastNoReload = 'still here'");

            Api.admin().body(Map.of("odds", 1.75)).put("/api/admin/selections/" + over + "/odds").then().statusCode(200);
            bettor.await("the new price 1.75", d -> bettor.text("#sel-" + over + " .odds").equals("1.75") ? true : null);
            assertThat(bettor.find("#sel-" + over).getAttribute("data-last-move")).isEqualTo("down");

            Api.admin().post("/api/admin/markets/" + spread.id() + "/suspend").then().statusCode(200);
            bettor.await("the handicap suspended", d -> bettor.find("#market-" + spread.id()).getAttribute("class")
                    .contains("suspended") ? true : null);
            assertThat(bettor.text("#market-" + spread.id() + " .mstatus")).isEqualTo("SUSPENDED");
            assertThat(bettor.find("#sel-" + spread.selections().get(0)).isEnabled()).isFalse();
            assertThat(bettor.js("return window.holdfastNoReload")).isEqualTo("still here");

            // a suspended market is shown as such when the page is opened, too
            bettor.open("/events/" + event);
            assertThat(bettor.find("#market-" + spread.id()).getAttribute("class")).contains("suspended");
            bettor.open("/events/987654321");
            assertThat(bettor.text("h1")).isEqualTo("No such event");
            bettor.assertClean("404");
        }
    }
}
