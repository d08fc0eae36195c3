package io.holdfast.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A settlement batch reads its own market's bets, not the book: the claim's cost must not grow with the bets of other
 * markets (on 1.9 million bets the claim once hashed the whole bet table, a second a batch).
 */
@QuarkusTest
class SettlementClaimTest {

    private static final int BATCH = 1_000;

    @Test
    void shouldClaimABatchWithoutReadingTheBetsOfOtherMarkets() throws Exception {
        Api.Bettor bettor = Api.bettor(10_000);
        Api.Market market = Api.market("2.00", "3.00");
        Api.Market other = Api.market("1.90", "1.90");

        try (Connection c = Db.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                openBets(s, bettor, market, 3 * BATCH);
                Claim before = claim(c, market);
                openBets(s, bettor, other, 40_000);
                Claim after = claim(c, market);

                assertThat(before.ids()).hasSize(BATCH).isSorted();
                assertThat(after.ids()).as("the same batch").isEqualTo(before.ids());
                // each claimed bet read once, by its key: at this size a scan of the whole table costs fewer buffers
                // than a thousand lookups, so it is the rows, not the buffers, that tell the two plans apart
                assertThat(before.betRows()).as("bet rows the claim read among 3 000 bets").isLessThanOrEqualTo(BATCH);
                assertThat(after.betRows()).as("bet rows the claim read beside 40 000 bets on another market")
                        .isLessThanOrEqualTo(BATCH);
            } finally {
                c.rollback();
            }
        }
    }

    private record Claim(List<Long> ids, long betRows) {
    }

    private static void openBets(Statement s, Api.Bettor bettor, Api.Market market, int count) throws Exception {
        s.executeUpdate("""
                WITH b AS (
                    INSERT INTO bet (account_id, request_id, request_hash, status, stake, odds, odds_change,
                                     potential_payout, epoch)
                    SELECT %d, 'claim-%d-' || k, 'claim', 'ACCEPTED', 1, 1.90, 'ANY', 1, 1
                    FROM generate_series(1, %d) k RETURNING id)
                INSERT INTO bet_leg (bet_id, leg_no, selection_id, market_id, event_id, odds, version)
                SELECT id, 1, %d, %d, %d, 1.90, 1 FROM b""".formatted(bettor.id(), market.id(), count,
                market.selections().get(0), market.id(), market.eventId()));
        s.execute("ANALYZE bet");
        s.execute("ANALYZE bet_leg");
    }

    /** The first batch of the market (one part: every bettor), and the rows of bet its plan read, on a fresh plan. */
    private static Claim claim(Connection c, Api.Market market) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(SettleMarket.claim(BATCH))) {
            bind(p, market);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
                + SettleMarket.claim(BATCH))) {
            bind(p, market);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return new Claim(ids, betRows(new ObjectMapper().readTree(rs.getString(1)).get(0).get("Plan")));
            }
        }
    }

    /** Rows of the bet table the plan's nodes read: those they returned and those their filter removed, per loop. */
    private static long betRows(JsonNode node) {
        long rows = 0;
        if ("bet".equals(node.path("Relation Name").asText())) {
            rows += (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong())
                    * node.path("Actual Loops").asLong();
        }
        for (JsonNode child : node.path("Plans")) {
            rows += betRows(child);
        }
        return rows;
    }

    private static void bind(PreparedStatement p, Api.Market market) throws Exception {
        p.setLong(1, 1); // parts
        p.setLong(2, 0); // part
        p.setLong(3, market.id());
        p.setLong(4, 0); // after bet id 0: the first batch
        p.setInt(5, 1); // the result revision (the legs have none yet)
    }
}
