package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The README's pictures of the bettor pages, taken of a running demo system (ha-config/seed-demo's data) by
 * ha-config/screenshots: the home page, an event page and My bets, each on a desktop and a phone. Skipped in test
 * runs: it runs only when {@code holdfast.screenshots.base} names the system.
 */
@EnabledIfSystemProperty(named = "holdfast.screenshots.base", matches = ".+")
class DemoScreenshots {

    @Test
    void takeTheBettorPages() throws Exception {
        String base = System.getProperty("holdfast.screenshots.base");
        Path dir = Path.of(System.getProperty("holdfast.screenshots.dir", "docs"));
        long event = busiestLiveEvent(base);
        try (Browser browser = new Browser(base)) {
            browser.logIn("demo", "demo-password");
            for (boolean phone : new boolean[] { false, true }) {
                String suffix = phone ? "-phone" : "";
                if (phone) {
                    browser.phone();
                } else {
                    browser.desktop();
                }
                browser.open("/");
                browser.awaitLive();
                assertThat(browser.all("#live-now article.event")).isNotEmpty();
                browser.screenshot(dir, "home" + suffix);

                browser.open("/events/" + event);
                browser.awaitLive();
                browser.screenshot(dir, "event" + suffix);

                browser.open("/my/bets");
                var ask = browser.all("#open-bets .cash-out-ask button");
                if (!ask.isEmpty()) {
                    ask.get(0).click();
                    browser.await("a cash-out quote", d -> browser.all("#open-bets .cash-out-amount").isEmpty() ? null : true);
                }
                browser.screenshot(dir, "my-bets" + suffix);
            }
            browser.assertClean();
        }
    }

    /** The live event with the most markets (the demo's live football match). */
    private static long busiestLiveEvent(String base) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base + "/api/events?status=LIVE")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode events = new ObjectMapper().readTree(answer.body());
        return StreamSupport.stream(events.spliterator(), false)
                .max(Comparator.comparingInt(e -> e.path("markets").size()))
                .orElseThrow(() -> new AssertionError("no live event: is the demo seed loaded?"))
                .path("id").asLong();
    }
}
