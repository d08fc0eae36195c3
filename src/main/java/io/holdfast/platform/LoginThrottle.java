package io.holdfast.platform;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;

/**
 * Slows down password guessing and sign-up sprays. Every attempt takes a slot <em>before</em> the password is
 * checked (a compare-and-set on the replicated {@code login-throttles} cache), so parallel guesses cannot slip
 * past the count: of 50 parallel wrong passwords at most the free allowance reach bcrypt. Past the allowance
 * each further attempt must wait a delay that doubles up to a cap (429 {@code RATE_LIMITED} with
 * {@code Retry-After}); there is no lockout. Keys: the account <em>from one client address</em> (so guessing
 * {@code ops}'s password from one host slows that host down and nobody else: an attacker cannot aim a lockout
 * at {@code ops}), and the client address alone (a spray of usernames from one host).
 * <p>
 * Values are plain strings ({@code "count:notBeforeMillis"}): whatever goes into a replicated cache must
 * marshal, and a {@code compute} lambda would have to ship this bean to the other node (ISPN000136).
 * A throttle is derived state: losing it costs nothing but a fresh allowance.
 */
@ApplicationScoped
@ModuleApi
public class LoginThrottle {

    /** An attempt that took its slots; the caller reports how it ended. */
    public final class Attempt {
        private final String pairKey;
        private final String addressKey;

        private Attempt(String pairKey, String addressKey) {
            this.pairKey = pairKey;
            this.addressKey = addressKey;
        }

        /** Right password: the account's count from this address starts again, the address gets its slot back. */
        public void succeeded() {
            if (slots.containsKey(pairKey)) {
                slots.remove(pairKey);
            }
            refund(addressKey);
        }
    }

    private final Cache<String, String> slots;
    private final HoldfastConfig.Security config;
    private final long forgetMillis;

    LoginThrottle(HoldfastConfig config, EmbeddedCacheManager caches) {
        this.config = config.security();
        this.slots = caches.getCache(Caches.THROTTLES);
        // a slot's count is forgotten once nobody tried for a while, but never before the longest delay ran out
        this.forgetMillis = Math.max(this.config.throttleForgetAfter().toMillis(),
                2 * this.config.throttleMaxDelay().toMillis());
    }

    /** Takes the slots of one login attempt, or refuses it with 429 while a delay runs. */
    public Attempt begin(String username, String address) {
        String pairKey = "login:" + username.toLowerCase(Locale.ROOT) + "@" + address;
        String addressKey = "login-from:" + address;
        take(addressKey, config.loginAttemptsPerAddress());
        try {
            take(pairKey, config.loginAttemptsPerAccount());
        } catch (ProblemException refused) {
            refund(addressKey);
            throw refused;
        }
        return new Attempt(pairKey, addressKey);
    }

    /** Takes a sign-up slot of this address (sign-up costs a bcrypt hash), or refuses it with 429. */
    public void signUp(String address) {
        take("signup-from:" + address, config.signupsPerAddress());
    }

    /** The compare-and-set loop: count this attempt, and start the next delay once the allowance is used up. */
    private void take(String key, int allowance) {
        while (true) {
            long now = System.currentTimeMillis();
            String current = slots.get(key);
            long count = count(current);
            long notBefore = notBefore(current);
            if (now < notBefore) {
                throw refuse(notBefore - now);
            }
            long taken = count + 1;
            long next = taken >= allowance ? now + delay(taken - allowance) : 0;
            String updated = taken + ":" + next;
            boolean done = current == null
                    ? slots.putIfAbsent(key, updated, forgetMillis, TimeUnit.MILLISECONDS) == null
                    : slots.replace(key, current, updated, forgetMillis, TimeUnit.MILLISECONDS);
            if (done) {
                return;
            }
        }
    }

    private void refund(String key) {
        for (int i = 0; i < 10; i++) {
            String current = slots.get(key);
            long count = count(current);
            if (current == null || count == 0) {
                return;
            }
            if (slots.replace(key, current, (count - 1) + ":" + notBefore(current), forgetMillis,
                    TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    /** First delay after the allowance, doubling with every further attempt, up to the cap. */
    private long delay(long beyond) {
        long first = config.throttleDelay().toMillis();
        long max = config.throttleMaxDelay().toMillis();
        return beyond >= 30 ? max : Math.min(max, first << beyond);
    }

    private static long count(String value) {
        return value == null ? 0 : Long.parseLong(value.substring(0, value.indexOf(':')));
    }

    private static long notBefore(String value) {
        return value == null ? 0 : Long.parseLong(value.substring(value.indexOf(':') + 1));
    }

    private static ProblemException refuse(long waitMillis) {
        return new ProblemException(429, "RATE_LIMITED", "Too many attempts from here; wait and try again",
                Duration.ofMillis(waitMillis + 999));
    }
}
