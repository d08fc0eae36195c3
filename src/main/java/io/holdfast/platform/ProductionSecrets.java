package io.holdfast.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.Config;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;

/**
 * Outside the dev and test profiles Holdfast refuses to start while a secret is missing or still the dev default
 * that sits in this repository (anyone could log in as admin, or mint a session cookie with the known key).
 * The check runs first of all startup work; the schema migration runs right after it, never before
 * ({@code %prod.quarkus.flyway.migrate-at-start=false}), so a refused start has touched nothing.
 */
@ApplicationScoped
class ProductionSecrets {

    private static final Logger LOG = Logger.getLogger(ProductionSecrets.class);

    /** A secret: its property, the environment variable that sets it, and the dev default it must not keep. */
    record Secret(String property, String variable, String devDefault, int minLength) {
    }

    static final List<Secret> SECRETS = List.of(
            new Secret("quarkus.datasource.password", "HOLDFAST_DB_PASSWORD", "holdfast", 12),
            new Secret("holdfast.session.encryption-key", "HOLDFAST_SESSION_KEY",
                    "dev-only-holdfast-session-key-change-me-0123456789", 32),
            new Secret("holdfast.bootstrap.admin-password", "HOLDFAST_ADMIN_PASSWORD", "admin", 12),
            new Secret("holdfast.bootstrap.ops-password", "HOLDFAST_OPS_PASSWORD", "ops", 12),
            new Secret("holdfast.cluster.secret", "HOLDFAST_CLUSTER_SECRET", "dev-only-holdfast-cluster-secret", 24));

    private final Config config;
    private final Instance<Flyway> flyway;

    ProductionSecrets(Config config, Instance<Flyway> flyway) {
        this.config = config;
        this.flyway = flyway;
    }

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ignored) {
        List<String> profiles = ConfigUtils.getProfiles();
        if (profiles.contains("dev") || profiles.contains("test")) {
            return;
        }
        List<String> refused = refusals(config);
        if (!refused.isEmpty()) {
            String line = "Refusing to start: " + String.join("; ", refused);
            LOG.error(line);
            throw new IllegalStateException(line);
        }
    }

    /** Migrates the schema once the secrets passed (in dev and test Quarkus migrates at start itself). */
    void migrate(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 1) StartupEvent ignored) {
        if (!config.getOptionalValue("quarkus.flyway.migrate-at-start", Boolean.class).orElse(false)) {
            flyway.get().migrate();
        }
    }

    static List<String> refusals(Config config) {
        List<String> refused = new ArrayList<>();
        for (Secret s : SECRETS) {
            Optional<String> value = config.getOptionalValue(s.property(), String.class);
            if (value.isEmpty() || value.get().isBlank()) {
                refused.add(s.variable() + " (" + s.property() + ") is not set");
            } else if (value.get().equals(s.devDefault())) {
                refused.add(s.variable() + " (" + s.property() + ") is the dev default");
            } else if (value.get().length() < s.minLength()) {
                refused.add(s.variable() + " (" + s.property() + ") is shorter than " + s.minLength() + " characters");
            }
        }
        return refused;
    }
}
