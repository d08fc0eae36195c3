package io.holdfast.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The publisher's gap rule against real concurrent transactions: a row whose id was taken early but whose
 * transaction commits late is held back, never skipped (docs/events.md). The publisher itself is off in tests
 * (no Kafka): these drive its SQL directly.
 */
@QuarkusTest
class OutboxRowsTest {

    @Inject
    OutboxRows rows;

    private final String tag = Api.unique("gap");

    @BeforeEach
    void cursorAtTheEnd() {
        // (no max() for xid8 before PostgreSQL 16: the last row in the publisher's order instead)
        Db.update("UPDATE event_cursor c SET xid = l.xid, outbox_id = l.id FROM (SELECT xid, id FROM event_outbox "
                + "ORDER BY xid DESC, id DESC LIMIT 1) l WHERE c.id = 1");
    }

    private void insert(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_outbox (type, aggregate, aggregate_key, "
                + "epoch, payload) VALUES ('market.status-changed', 'market', ?, 0, '{}')")) {
            ps.setString(1, tag + "-" + key);
            ps.executeUpdate();
        }
    }

    /** The keys of this test's rows that the publisher would send now, in its order. */
    private List<String> publishable() {
        return rows.next(10_000).stream().map(OutboxRows.Row::key).filter(k -> k.startsWith(tag))
                .map(k -> k.substring(tag.length() + 1)).toList();
    }

    /** What is publishable once the suite's own background transactions (settlement, live bets) have ended too. */
    private List<String> publishedOnceOthersEnd() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !publishable().isEmpty());
        return publishable();
    }

    @Test
    void shouldHoldBackRowsBehindAnOpenTransactionAndPublishThemInCommitSafeOrder() throws Exception {
        try (Connection early = Db.connect(); Connection late = Db.connect()) {
            early.setAutoCommit(false);
            late.setAutoCommit(false);
            insert(early, "early"); // takes the lower id and the lower xid, and stays open
            insert(late, "late");
            late.commit();

            // id > last_id would publish "late" now and skip "early" when it commits
            assertThat(publishable()).isEmpty();

            early.commit();
            assertThat(publishedOnceOthersEnd()).containsExactly("early", "late");
        }
    }

    @Test
    void shouldOrderByTransactionNotByIdAndNeverPublishARolledBackRow() throws Exception {
        try (Connection first = Db.connect(); Connection second = Db.connect(); Connection doomed = Db.connect()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            doomed.setAutoCommit(false);
            // "first" takes its xid before "second" but its outbox id after it
            try (var st = first.createStatement()) {
                st.execute("SELECT pg_current_xact_id()");
            }
            insert(second, "second");
            insert(first, "first");
            insert(doomed, "doomed");
            second.commit();
            first.commit();
            doomed.rollback();

            assertThat(publishedOnceOthersEnd()).containsExactly("first", "second");
        }
    }

    @Test
    void shouldMoveTheCursorPastPublishedRowsAndCleanThemUp() throws Exception {
        try (Connection c = Db.connect()) {
            insert(c, "one");
            insert(c, "two");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> publishable().size() == 2);
        List<OutboxRows.Row> batch = rows.next(10_000).stream().filter(r -> r.key().startsWith(tag)).toList();
        assertThat(batch).hasSize(2);
        assertThat(rows.lag().rows()).isGreaterThanOrEqualTo(2);

        OutboxRows.Row last = batch.get(1);
        assertThat(rows.advance(last.xid(), last.id(), 2)).isTrue();
        assertThat(rows.advance(batch.get(0).xid(), batch.get(0).id(), 1)).as("the cursor never moves back").isFalse();
        assertThat(publishable()).isEmpty();

        while (rows.cleanup(2_000) > 0) {
            // until the published rows are gone
        }
        assertThat(Db.longValue("SELECT count(*) FROM event_outbox WHERE aggregate_key LIKE ?", tag + "%")).isZero();
    }

    @Test
    void shouldShowThePublisherInTheReadinessDetailWithoutTakingTheNodeOut() {
        Api.anonymous().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("holdfast-events"))
                .body("checks.find { it.name == 'holdfast-events' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'holdfast-events' }.data.publisher", equalTo("OFF"));
    }
}
