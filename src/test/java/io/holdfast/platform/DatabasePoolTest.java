package io.holdfast.platform;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The business pool keeps its minimum of connections open from the node's start, on a PASSIVE too: a node that takes
 * over gets 8+ placements at once, and Agroal opens a missing connection one at a time (a TCP connect and a SCRAM
 * login, ~40 ms each on a loaded machine). Agroal does not open {@code min-size} by itself, only {@code initial-size}.
 */
@QuarkusTest
class DatabasePoolTest {

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "holdfast.node.name")
    String node;

    @Test
    void shouldOpenTheMinimumOfConnectionsAtStart() {
        var pool = dataSource.getConfiguration().connectionPoolConfiguration();
        assertThat(pool.minSize()).isGreaterThanOrEqualTo(16);
        assertThat(pool.initialSize()).as("connections opened at start").isGreaterThanOrEqualTo(pool.minSize());
        assertThat(Db.longValue("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + node + "'"))
                .as("this node's sessions in the database").isGreaterThanOrEqualTo(pool.minSize());
    }
}
