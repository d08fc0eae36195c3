package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.holdfast.pair.Pair;

/**
 * Two real nodes: the ops console shows both, and its flip makes the passive one active; a bettor's browser
 * session, logged in on the old active node, is still logged in on the new one (the session cookie is
 * encrypted with the key both nodes share), and can still write there.
 */
class WebPairFlipIT {

    @Test
    void shouldShowBothNodesFlipTheActiveOneAndKeepTheBettorLoggedIn() throws Exception {
        try (Pair pair = new Pair().start()) {
            Pair.Node a = pair.node(Pair.A);
            Pair.Node b = pair.node(Pair.B);
            assertThat(a.ready()).isTrue();
            String name = "flip_" + System.currentTimeMillis() % 1_000_000;
            var created = a.send("POST", "/api/accounts",
                    "{\"username\":\"" + name + "\",\"password\":\"flip-password\"}", null, Duration.ofSeconds(10));
            assertThat(created.statusCode()).isEqualTo(201);

            try (Browser ops = new Browser(a.url()).allow(b.url()); Browser bettor = new Browser(a.url()).allow(b.url())) {
                bettor.logIn(name, "flip-password");
                bettor.open("/my/wallet");
                bettor.type("#deposit-amount", "20.00");
                bettor.click("#deposit");
                bettor.await("balance 20.00", d -> bettor.text("#balance").equals("20.00") ? true : null);

                ops.logIn("ops", pair.password("ops"));
                ops.awaitPath("/ops");
                ops.await("both nodes, node-a active", Duration.ofSeconds(20), d ->
                        role(ops, "node-a").equals("ACTIVE") && role(ops, "node-b").equals("PASSIVE") ? true : null);
                String epoch = ops.text("#epoch");
                ops.screenshot("ops-console");

                ops.click("#flip-node-b");
                ops.awaitPath("/ops/switchover");
                assertThat(ops.text("main")).contains("node-b");
                ops.screenshot("ops-confirm");
                ops.click("#confirm-switchover");
                ops.awaitPath("/ops");
                assertThat(ops.text(".flash.ok")).contains("node-b is active");
                ops.await("node-b active on the console", Duration.ofSeconds(20), d ->
                        ops.text("#active-node").equals("node-b") && role(ops, "node-b").equals("ACTIVE")
                                && role(ops, "node-a").equals("PASSIVE") ? true : null);
                assertThat(Long.parseLong(ops.text("#epoch"))).isGreaterThan(Long.parseLong(epoch));
                assertThat(ops.text("#role-changes")).contains("SWITCHOVER");
                Pair.await("node-b ready, node-a not", Duration.ofSeconds(10), () -> b.ready() && !a.ready());
                ops.screenshot("ops-console-flipped");

                // the load balancer now sends the bettor to node-b: same browser, same cookie, still logged in
                bettor.openAt(b.url(), "/my/wallet");
                assertThat(bettor.text("#who")).isEqualTo(name);
                assertThat(bettor.text("#balance")).isEqualTo("20.00");
                bettor.type("#deposit-amount", "5.00");
                bettor.click("#deposit");
                bettor.await("balance 25.00 on node-b", d -> bettor.text("#balance").equals("25.00") ? true : null);
                assertThat(bettor.driver().getCurrentUrl()).startsWith(b.url());

                // and the ops console on the new active node offers the flip back
                ops.openAt(b.url(), "/ops");
                ops.await("the console on node-b", Duration.ofSeconds(10), d ->
                        ops.all("#flip-node-a").isEmpty() ? null : true);

                bettor.assertClean();
                ops.assertClean();
            }
        }
    }

    private static String role(Browser ops, String node) {
        var rows = ops.all("#node-" + node);
        return rows.isEmpty() ? "" : String.valueOf(rows.get(0).getAttribute("data-role"));
    }
}
