package io.holdfast.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The packaged jar in the production profile refuses to start while a secret is missing or a dev default, with
 * one line that names it, before it migrates or writes anything (its database URL points nowhere: a migration that
 * ran first would fail with a connection error instead of this line).
 */
class ProductionSecretsIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void shouldRefuseToStartWithoutAnyEnvironment() throws Exception {
        Started run = start(Map.of());
        assertThat(run.exit).isNotZero();
        assertThat(run.output).contains("Refusing to start: HOLDFAST_DB_PASSWORD (quarkus.datasource.password) is the "
                + "dev default; HOLDFAST_SESSION_KEY (holdfast.session.encryption-key) is the dev default; "
                + "HOLDFAST_ADMIN_PASSWORD (holdfast.bootstrap.admin-password) is the dev default; "
                + "HOLDFAST_OPS_PASSWORD (holdfast.bootstrap.ops-password) is the dev default; "
                + "HOLDFAST_CLUSTER_SECRET (holdfast.cluster.secret) is the dev default");
        // no migration was attempted (Hibernate's boot may look for the database's version, and finds none)
        assertThat(run.output).doesNotContain("Flyway");
    }

    @Test
    void shouldNameTheOneSecretStillADevDefault() throws Exception {
        Started run = start(Map.of("HOLDFAST_DB_PASSWORD", "a-real-database-password",
                "HOLDFAST_SESSION_KEY", "a-session-key-of-forty-characters-at-least",
                "HOLDFAST_ADMIN_PASSWORD", "a-real-admin-password",
                "HOLDFAST_OPS_PASSWORD", "ops",
                "HOLDFAST_CLUSTER_SECRET", "a-real-cluster-secret-of-some-length"));
        assertThat(run.exit).isNotZero();
        assertThat(run.output).contains("Refusing to start: HOLDFAST_OPS_PASSWORD (holdfast.bootstrap.ops-password) "
                + "is the dev default\n");
    }

    record Started(int exit, String output) {
    }

    private static Started start(Map<String, String> secrets) throws Exception {
        Path work = ROOT.resolve("target/secrets-it");
        Files.createDirectories(work);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(System.getProperty("java.home") + File.separator + "bin"
                + File.separator + "java", "-Xmx256m", "-jar", ROOT.resolve("target/quarkus-app/quarkus-run.jar").toString()))
                .redirectErrorStream(true).redirectOutput(work.resolve("out.log").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("HOLDFAST_") || k.startsWith("QUARKUS_"));
        env.put("HOLDFAST_HTTP_PORT", Integer.toString(port));
        env.put("HOLDFAST_DB_URL", "jdbc:postgresql://127.0.0.1:1/nowhere");
        env.put("HOLDFAST_TX_DIR", work.resolve("tx").toString());
        env.putAll(secrets);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the jar did not exit: " + Files.readString(work.resolve("out.log")));
        }
        return new Started(p.exitValue(), Files.readString(work.resolve("out.log")));
    }
}
