package io.holdfast.odds;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.junit.QuarkusTest;

/** GET /api/sports and the sport, competition and search filters of GET /api/events, as docs/API.md has them. */
@QuarkusTest
class NavigationApiTest {

    static long event(String name, String sport, String competition) {
        return Api.admin().body(Map.of("name", name, "startsAt", "2030-01-01T18:00:00Z", "sport", sport,
                "competition", competition)).post("/api/admin/events").then().statusCode(201).extract().jsonPath()
                .getLong("id");
    }

    @Test
    void shouldCountOpenEventsBySportAndCompetition() {
        String sport = Api.unique("Curling");
        long a1 = event("Stones v Brooms", sport, "Alpha League");
        long a2 = event("Ice Kings v Sweepers", sport, "Alpha League");
        long b1 = event("Granite v Pebbles", sport, "Beta Cup");
        long done = event("Finished v Gone", sport, "Beta Cup");
        Api.market(a1, "2.00", "1.80");
        Api.admin().post("/api/admin/events/" + a2 + "/start").then().statusCode(200);
        Api.admin().post("/api/admin/events/" + done + "/finish").then().statusCode(200);

        String at = "find { it.sport == '" + sport + "' }";
        Api.anonymous().get("/api/sports").then().statusCode(200).contentType("application/json")
                .body(at + ".competitions.competition", contains("Alpha League", "Beta Cup"))
                .body(at + ".competitions.events", contains(2, 1))
                .body(at + ".competitions.live", contains(1, 0))
                .body(at + ".events", equalTo(3)).body(at + ".live", equalTo(1))
                .body("sport", hasItem(sport));

        Api.anonymous().queryParam("sport", sport).get("/api/events").then().statusCode(200)
                .body("id", contains((int) a1, (int) a2, (int) b1)).body("sport", everyItem(equalTo(sport)))
                .body("competition", contains("Alpha League", "Alpha League", "Beta Cup"));
        Api.anonymous().queryParam("sport", sport.toUpperCase()).queryParam("competition", "beta cup")
                .get("/api/events").then().statusCode(200).body("id", contains((int) b1));
        Api.anonymous().queryParam("sport", sport).queryParam("status", "LIVE").get("/api/events").then()
                .statusCode(200).body("id", contains((int) a2));
        Api.anonymous().queryParam("sport", sport).queryParam("status", "FINISHED").get("/api/events").then()
                .statusCode(200).body("id", contains((int) done));
        Api.anonymous().queryParam("sport", Api.unique("Nothing")).get("/api/events").then().statusCode(200)
                .body("size()", equalTo(0));
    }

    @Test
    void shouldSearchTeamsAndCompetitionsLiterally() {
        String team = Api.unique("Quokka");
        String competition = Api.unique("Wombat Shield");
        long byTeam = event(team + " v Numbats", "Football", "Outback League");
        long byCompetition = event("Emus v Dingoes", "Football", competition);

        Api.anonymous().queryParam("q", team.toLowerCase()).get("/api/events").then().statusCode(200)
                .body("id", contains((int) byTeam));
        Api.anonymous().queryParam("q", competition).get("/api/events").then().statusCode(200)
                .body("id", contains((int) byCompetition)).body("[0].competition", equalTo(competition));
        // the search is literal: % and _ match only themselves
        Api.anonymous().queryParam("q", "%").get("/api/events").then().statusCode(200)
                .body("id", not(hasItem((int) byTeam)));
        Api.anonymous().queryParam("q", "Quokk_").get("/api/events").then().statusCode(200)
                .body("id", not(hasItem((int) byTeam)));
        // blank is no filter
        Api.anonymous().queryParam("q", " ").queryParam("sport", "").get("/api/events").then().statusCode(200);
    }

    @Test
    void shouldRefuseOverlongFiltersWithProblemJson() {
        Api.anonymous().queryParam("q", "x".repeat(101)).get("/api/events").then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("VALIDATION_FAILED"));
        Api.anonymous().queryParam("sport", "x".repeat(101)).get("/api/events").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
        Api.anonymous().queryParam("competition", "x".repeat(101)).get("/api/events").then().statusCode(400)
                .body("code", equalTo("VALIDATION_FAILED"));
    }
}
