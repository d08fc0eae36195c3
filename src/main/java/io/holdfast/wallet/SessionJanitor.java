package io.holdfast.wallet;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.holdfast.cluster.PassiveNode;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Sessions;
import io.quarkus.scheduler.Scheduled;

/**
 * Keeps {@code login_session} from growing for ever: every login adds a row, and a row is of no use once its
 * session's absolute lifetime is long over. The ACTIVE deletes those older than the configured retention, a batch
 * at a time so no long transaction holds the table.
 */
@ApplicationScoped
class SessionJanitor {

    private static final Logger LOG = Logger.getLogger(SessionJanitor.class);
    private static final int BATCH = 1000;

    private final Sessions sessions;
    private final Duration retention;

    SessionJanitor(Sessions sessions, HoldfastConfig config) {
        this.sessions = sessions;
        this.retention = config.session().retention();
    }

    @Scheduled(every = "1h", delay = 1, delayUnit = java.util.concurrent.TimeUnit.MINUTES,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = PassiveNode.class)
    void purge() {
        try {
            int purged = sessions.purgeExpired(retention, BATCH);
            if (purged > 0) {
                LOG.infof("Deleted %d login sessions whose lifetime ended more than %s ago", purged, retention);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Deleting old login sessions failed, will retry in an hour: %s", e.getMessage());
        }
    }
}
