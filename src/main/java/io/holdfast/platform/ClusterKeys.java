package io.holdfast.platform;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns {@code holdfast.cluster.secret} into what the JGroups stack needs: an AES key for SYM_ENCRYPT, in a PKCS12
 * keystore of this process only (a temporary file, mode 600, removed on exit, under a random password), and the
 * digest AUTH's {@link ClusterToken} compares. Both derive from the one secret with HMAC-SHA-256 under different
 * labels, so the operator keeps one secret and every node with it derives the same key.
 */
public final class ClusterKeys {

    static final String ALIAS = "holdfast-cluster";

    private ClusterKeys() {
    }

    public static void install(String secret) {
        try {
            byte[] key = Arrays.copyOf(derive(secret, "holdfast-jgroups-encryption"), 16);
            byte[] passwordBytes = new byte[18];
            new SecureRandom().nextBytes(passwordBytes);
            char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(passwordBytes).toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setEntry(ALIAS, new KeyStore.SecretKeyEntry(new SecretKeySpec(key, "AES")),
                    new KeyStore.PasswordProtection(password));
            Path file = Files.createTempFile("holdfast-cluster-", ".p12",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            System.setProperty("hf.jgroups.keystore", file.toString());
            System.setProperty("hf.jgroups.keystore_password", new String(password));
            System.setProperty("hf.jgroups.auth_digest",
                    HexFormat.of().formatHex(derive(secret, "holdfast-jgroups-auth")));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot prepare the cluster's keys: " + e.getMessage(), e);
        }
    }

    private static byte[] derive(String secret, String label) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)),
                "HmacSHA256"));
        return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    }
}
