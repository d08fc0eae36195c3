package io.holdfast.platform;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;

/**
 * A node of a standby site (docs/geo-dr.md) starts before its database is promoted: the JVM, Hibernate and the HTTP
 * server are up, and the node waits here, before the first startup work that writes (the secrets check and the schema
 * migration, the bootstrap users, the lease), until its database takes writes <em>and</em> the promotion's fence is
 * in: the lease row's holder, while the database was a standby, was the old site's node; {@code holdfast-dr promote}
 * clears it together with the epoch bump. So a node held here never takes the lease at the old epoch (before the bump).
 * Off unless the environment sets {@code HOLDFAST_AWAIT_PROMOTION=true} (holdfast-dr does for a standby site's nodes);
 * a database that is writable from the first look lets the node through at once.
 */
@ApplicationScoped
class AwaitPromotion {

    private static final Logger LOG = Logger.getLogger(AwaitPromotion.class);
    private static final long POLL_MILLIS = 100;

    private final AgroalDataSource dataSource;
    private final boolean enabled;

    AwaitPromotion(AgroalDataSource dataSource,
            @ConfigProperty(name = "HOLDFAST_AWAIT_PROMOTION", defaultValue = "false") boolean enabled) {
        this.dataSource = dataSource;
        this.enabled = enabled;
    }

    /** What one look at the database found. */
    record Look(boolean inRecovery, String holder) {
    }

    void await(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE - 1) StartupEvent ignored)
            throws InterruptedException {
        if (!enabled) {
            return;
        }
        long start = System.nanoTime();
        boolean sawStandby = false;
        String standbyHolder = null;
        long lastLog = 0;
        boolean logged = false;
        while (true) {
            Look look = look();
            if (look != null) {
                if (look.inRecovery()) {
                    sawStandby = true;
                    standbyHolder = look.holder();
                } else if (passes(sawStandby, standbyHolder, look.holder())) {
                    LOG.infof("await-promotion: the database takes writes%s; starting after %d ms", sawStandby
                            ? " and the lease's holder moved on from " + standbyHolder : "",
                            (System.nanoTime() - start) / 1_000_000);
                    return;
                }
            }
            if (!logged || System.nanoTime() - lastLog > 30_000_000_000L) {
                logged = true;
                lastLog = System.nanoTime();
                LOG.infof("await-promotion: waiting for this site's database to be promoted (%s)",
                        look == null ? "no answer" : look.inRecovery() ? "a standby" : "writable, fence not in yet");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Through once the database is writable and, if it was seen as a standby, the lease's holder is no longer the one
     * replicated from the old site (the promotion cleared it, or a sibling of this site took it since).
     */
    static boolean passes(boolean sawStandby, String standbyHolder, String holderNow) {
        return !sawStandby || standbyHolder == null || holderNow == null || !Objects.equals(standbyHolder, holderNow);
    }

    private Look look() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            boolean inRecovery;
            boolean leaseTable;
            try (ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), to_regclass('cluster_lease') IS NOT NULL")) {
                rs.next();
                inRecovery = rs.getBoolean(1);
                leaseTable = rs.getBoolean(2);
            }
            if (!leaseTable) { // a database not migrated yet: no lease to wait for
                return new Look(inRecovery, null);
            }
            try (ResultSet rs = s.executeQuery("SELECT holder FROM cluster_lease WHERE id = 1")) {
                return new Look(inRecovery, rs.next() ? rs.getString(1) : null);
            }
        } catch (SQLException e) {
            return null;
        }
    }
}
