package io.holdfast.platform;

import java.time.Duration;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;

/**
 * Slows down password guessing: after a few failures in a row for one username, refuses further tries
 * for a while with 429 and Retry-After. Kept in the replicated {@code login-throttles} cache, so guessing
 * against both nodes counts once; a throttle is derived state and may be lost with no harm.
 */
@ApplicationScoped
@ModuleApi
public class LoginThrottle {

    record Failures(int count, long lockedUntil) implements java.io.Serializable {
    }

    private final Cache<String, Failures> failures;
    private final int allowed;
    private final long lockMillis;

    LoginThrottle(HoldfastConfig config, EmbeddedCacheManager caches) {
        this.allowed = config.security().loginFailuresBeforeThrottle();
        this.lockMillis = config.security().loginThrottle().toMillis();
        this.failures = caches.getCache(Caches.THROTTLES);
    }

    public void check(String username) {
        Failures f = failures.get(key(username));
        long now = System.currentTimeMillis();
        if (f != null && f.lockedUntil() > now) {
            throw new ProblemException(429, "TOO_MANY_ATTEMPTS", "Too many failed logins for this user; wait",
                    Duration.ofMillis(f.lockedUntil() - now + 999));
        }
    }

    public void failed(String username) {
        failures.compute(key(username), (k, f) -> {
            int count = (f == null ? 0 : f.count()) + 1;
            return new Failures(count, count >= allowed ? System.currentTimeMillis() + lockMillis : 0);
        });
    }

    public void succeeded(String username) {
        failures.remove(key(username));
    }

    private static String key(String username) {
        return username.toLowerCase(Locale.ROOT);
    }
}
