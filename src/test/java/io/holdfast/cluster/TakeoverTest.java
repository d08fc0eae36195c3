package io.holdfast.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Taking the lease over from a silent holder ends that holder's sessions that are in a transaction (one of them may
 * hold the lease row {@code FOR KEY SHARE} for ever: a frozen node) and leaves its idle ones alone: they hold no lock,
 * and ending twenty of them cost a loaded machine 400 ms of takeover.
 */
@QuarkusTest
class TakeoverTest {

    @Inject
    ClusterState cluster;

    @Test
    void shouldEndOnlyTheSilentHoldersSessionsThatAreInATransaction() throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(cluster::isActive);
        long epoch = Db.longValue("SELECT epoch FROM cluster_lease");
        try (Connection idle = holderSession(); Connection inTransaction = holderSession()) {
            // the silent holder: its last write left the lease row locked FOR KEY SHARE in an open transaction
            inTransaction.setAutoCommit(false);
            try (Statement st = inTransaction.createStatement()) {
                st.execute("SELECT epoch FROM cluster_lease WHERE id = 1 FOR KEY SHARE");
            }
            Db.update("UPDATE cluster_lease SET epoch = epoch + 1, holder = 'elsewhere', renewed_at = clock_timestamp()");

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                    .until(() -> cluster.isActive() && cluster.epoch() >= epoch + 2);

            assertThat(Db.longValue("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'elsewhere'"))
                    .as("the holder's sessions left after the takeover").isEqualTo(1);
            assertThatThrownBy(() -> inTransaction.createStatement().execute("SELECT 1"))
                    .as("the session in a transaction was ended").isInstanceOf(SQLException.class);
            try (Statement st = idle.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).as("the idle session still answers").isTrue();
            }
        }
    }

    /** A session as the silent holder's pool would have one: the holder's node name as its application name. */
    private static Connection holderSession() throws SQLException {
        Connection c = Db.connect();
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = 'elsewhere'");
        }
        return c;
    }
}
