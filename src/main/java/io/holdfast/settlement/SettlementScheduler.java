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
            for (long marketId : jdbc.query("""
                    SELECT id FROM market WHERE result_revision > settled_revision
                       AND (status <> 'SETTLEMENT_FAILED' OR settlement_retry_at <= now())
                    UNION
                    SELECT m.id FROM market m
                    WHERE m.status IN ('SETTLED', 'VOID') AND m.settled_at > now() - interval '10 minutes'
                      AND EXISTS (SELECT 1 FROM bet_leg l JOIN bet b ON b.id = l.bet_id
                                  WHERE l.market_id = m.id AND l.result_revision IS NULL AND b.status = 'ACCEPTED')
                    LIMIT 100""", rs -> rs.getLong(1))) {
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
