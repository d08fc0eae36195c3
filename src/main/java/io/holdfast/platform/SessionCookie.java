package io.holdfast.platform;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The session cookie's value: the session id, the user, and until when it may stay idle, sealed with AES-GCM under
 * a key derived from {@code holdfast.session.encryption-key} (both nodes share it, so either reads the other's
 * cookies). Nobody without the key can make or alter one; whether the session still lives is the server's call.
 */
final class SessionCookie {

    record Payload(String sessionId, String username, long idleUntilMillis) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int IV_BYTES = 12;

    private final SecretKeySpec key;

    SessionCookie(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("holdfast-session:" + secret)
                    .getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(digest, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String newSessionId() {
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    String seal(Payload payload) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal((payload.sessionId() + "\n" + payload.idleUntilMillis() + "\n"
                    + payload.username()).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The payload of a cookie this key sealed, or empty for anything else (forged, altered, garbage). */
    Optional<Payload> open(String value) {
        if (value == null || value.length() > 512) {
            return Optional.empty();
        }
        try {
            byte[] raw = Base64.getUrlDecoder().decode(value);
            if (raw.length <= IV_BYTES + 16) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 0, IV_BYTES));
            String[] parts = new String(cipher.doFinal(raw, IV_BYTES, raw.length - IV_BYTES), StandardCharsets.UTF_8)
                    .split("\n", 3);
            if (parts.length != 3) {
                return Optional.empty();
            }
            return Optional.of(new Payload(parts[0], parts[2], Long.parseLong(parts[1])));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
