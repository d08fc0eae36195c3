package io.holdfast.platform;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Slows down password guessing: after a few failures in a row for one username, refuses further tries
 * for a while with 429 and Retry-After. Per node and in memory: a throttle is derived state.
 */
@ApplicationScoped
public class LoginThrottle {

    private record Failures(int count, long lockedUntil) {
    }

    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();
    private final int allowed;
    private final long lockMillis;

    LoginThrottle(HoldfastConfig config) {
        this.allowed = config.security().loginFailuresBeforeThrottle();
        this.lockMillis = config.security().loginThrottle().toMillis();
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
        if (failures.size() > 100_000) {
            failures.clear(); // bounded memory under a spray of random usernames
        }
    }

    public void succeeded(String username) {
        failures.remove(key(username));
    }

    private static String key(String username) {
        return username.toLowerCase(Locale.ROOT);
    }
}
