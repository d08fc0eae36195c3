package io.holdfast.cluster;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.holdfast.odds.OddsBook;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A node that has just become ACTIVE serves bets first: its background work (the jobs gated by {@link PassiveNode},
 * and the cache rebuilds that observe {@link ActiveSettled}, such as the odds book's) starts only after
 * {@code holdfast.lease.settle}, and then it does start.
 */
@QuarkusTest
class SettleTest {

    @Inject
    ClusterState cluster;
    @Inject
    PassiveNode passiveNode;
    @Inject
    OddsBook book;
    @Inject
    HoldfastConfig config;

    @Test
    void shouldStartBackgroundWorkOnlyOnceANewActiveHasSettled() {
        long settleMillis = config.lease().settle().toMillis();
        assertThat(settleMillis).isGreaterThanOrEqualTo(500);
        await().atMost(Duration.ofSeconds(15)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        long selection = Api.market("2.00", "2.00").selections().get(0);
        assertThat(book.quote(selection).orElseThrow().odds()).isEqualByComparingTo("2.00");
        // a price the book never heard of (written behind its back): only a rebuild from the database brings it in
        Db.update("UPDATE selection SET odds = 3.00, version = version + 1 WHERE id = ?", selection);
        long epoch = Db.longValue("SELECT epoch FROM cluster_lease");

        // another holder at epoch + 1 that never renews: this node is fenced, then takes the silent lease over
        Db.update("UPDATE cluster_lease SET epoch = epoch + 1, holder = 'elsewhere', renewed_at = clock_timestamp()");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
                .until(() -> cluster.isActive() && cluster.epoch() >= epoch + 2);
        long activeAt = System.nanoTime();
        boolean jobsHeldBack = passiveNode.test(null);
        BigDecimal oddsRightAfter = book.quote(selection).orElseThrow().odds();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5))
                .until(() -> book.quote(selection).orElseThrow().odds().compareTo(new BigDecimal("3.00")) == 0);
        long rebuiltAfterMillis = (System.nanoTime() - activeAt) / 1_000_000;

        assertThat(jobsHeldBack).as("background jobs skipped right after the takeover").isTrue();
        assertThat(oddsRightAfter).as("no rebuild right after the takeover").isEqualByComparingTo("2.00");
        assertThat(rebuiltAfterMillis).as("ms from ACTIVE to the odds book's rebuild").isGreaterThanOrEqualTo(settleMillis - 100);
        assertThat(passiveNode.test(null)).as("background jobs run once settled").isFalse();
    }
}
