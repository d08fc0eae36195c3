package io.holdfast.settlement;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.holdfast.cluster.PassiveNode;
import io.holdfast.platform.Jdbc;
import io.quarkus.scheduler.Scheduled;

/**
 * Finds markets with work to do and hands them to the settlement bulkhead: a new or corrected result, a
 * failed settlement whose retry time has come, or a recently settled market that a late bet reached.
 * Work is found in the database, so a new ACTIVE node picks up where the old one stopped.
 */
@ApplicationScoped
class SettlementScheduler {

    private static final Logger LOG = Logger.getLogger(SettlementScheduler.class);

    /**
     * The markets with work: a result not yet settled (a failed one once its retry time has come), and the markets
     * settled in the last ten minutes that a late bet reached (an accepted bet with a leg there that no result has
     * reached). Asked every second, so it must cost the same however many bets are open: the late-bet question is put
     * to each recently settled market on its own (LATERAL ... LIMIT 1, which PostgreSQL cannot flatten into a join),
     * through the open legs' index, and each leg's bet is read by its key (a scalar subquery, never a join). Asked as
     * one semi-join, PostgreSQL hashed every open leg and every accepted bet each time: 20-35 ms of its CPU each
     * second at 20 000-24 000 open bets, as often running as all the placements at 200 bets/s; now 0.1-0.3 ms (README,
     * "Two costs found at half the peak"). LateBetTest checks both the answer and what it reads.
     */
    static final String WORK = """
            SELECT id FROM market WHERE result_revision > settled_revision
               AND (status <> 'SETTLEMENT_FAILED' OR settlement_retry_at <= now())
            UNION
            SELECT m.id FROM market m
                 CROSS JOIN LATERAL (SELECT 1 FROM bet_leg l
                                     WHERE l.market_id = m.id AND l.result_revision IS NULL
                                       AND (SELECT b.status FROM bet b WHERE b.id = l.bet_id) = 'ACCEPTED'
                                     LIMIT 1) late
            WHERE m.status IN ('SETTLED', 'VOID') AND m.settled_at > now() - interval '10 minutes'
            LIMIT 100""";

    private final Jdbc jdbc;
    private final SettlementRunner runner;

    SettlementScheduler(Jdbc jdbc, SettlementRunner runner) {
        this.jdbc = jdbc;
        this.runner = runner;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = PassiveNode.class)
    void poll() {
        try {
            for (long marketId : jdbc.query(WORK, rs -> rs.getLong(1))) {
                if (runner.claim(marketId)) {
                    // a full bulkhead refuses the task: let the next poll try again
                    runner.settle(marketId).whenComplete((ok, refused) -> runner.release(marketId));
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("Looking for markets to settle failed, will retry: %s", e.getMessage());
        }
    }
}
