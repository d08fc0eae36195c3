package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The ops console on a single node: the glance is live over SSE, and a flip to nowhere is refused with the reason. */
@QuarkusTest
class OpsConsoleTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void shouldShowTheClusterLiveAndRefuseAFlipToAnUnknownNode() {
        try (Browser ops = new Browser(base.toString())) {
            ops.logIn("ops", "ops");
            ops.awaitPath("/ops");
            // the glance panel is swapped in every second: each read retries when it caught the old panel
            assertThat(ops.<String>await("the active node", d -> ops.text("#active-node"))).isEqualTo("node-a");
            assertThat(ops.<String>await("node-a's role", d -> ops.find("#node-node-a").getAttribute("data-role")))
                    .isEqualTo("ACTIVE");
            assertThat(ops.<String>await("the role changes", d -> ops.text("#role-changes"))).contains("ROLE_ACTIVE");
            // no Kafka in tests: the outbox publisher is off, and the console says so (issue 14)
            assertThat(ops.<String>await("the event publisher", d -> ops.text("#events-publisher"))).isEqualTo("OFF");
            ops.js("window.holdfastNoReload = 'still here'");
            // the lease is renewed every 200 ms: its expiry moves on the page without a reload
            String expiry = ops.<String>await("the lease expiry", d -> ops.text("#lease-expiry"));
            ops.await("the lease expiry to move", Duration.ofSeconds(10),
                    d -> ops.text("#lease-expiry").equals(expiry) ? null : true);
            assertThat(ops.js("return window.holdfastNoReload")).isEqualTo("still here");

            // the last minutes: a bet placed now shows as a bar, the active node as the band under it
            Api.Bettor bettor = Api.bettor(1_000);
            Api.Market market = Api.market("2.00", "1.80");
            Api.as(bettor).body(Api.single(Api.unique("timeline"), 100, market.selections().get(0), "2.00", "NONE"))
                    .post("/api/bets").then().statusCode(201);
            ops.await("a bar for the bet", Duration.ofSeconds(10), d -> ops.all("#timeline .bet-bar").isEmpty() ? null : true);
            assertThat(ops.text("#timeline")).contains("node-a");
            assertThat(ops.text("#timeline-summary")).containsPattern("[1-9][0-9]* bets accepted");

            ops.open("/ops/switchover?target=node-z");
            ops.click("#confirm-switchover");
            ops.await("the refusal", d -> ops.all(".flash.err").isEmpty() ? null : true);
            assertThat(ops.text(".flash.err")).contains("UNKNOWN_TARGET");
            // that page answered 409 on purpose
            ops.assertClean("status of 409");
        }
    }
}
