package io.holdfast.platform;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;

/**
 * Slows down password guessing and sign-up sprays. Every attempt takes a slot <em>before</em> the password is
 * checked (a compare-and-set on the replicated {@code login-throttles} cache), so parallel guesses cannot slip past
 * the count: failures plus attempts still being checked never exceed the allowance, and of 50 parallel wrong
 * passwords at most the allowance reach bcrypt. An attempt that finds every slot taken by attempts still being
 * checked waits a moment for them (right passwords in parallel, a script's Basic requests, free their slots within
 * a bcrypt); once the allowance is used up by failures, each further attempt must wait a delay that doubles up to
 * a cap (429 {@code RATE_LIMITED} with {@code Retry-After}); there is no lockout, and a right password clears the
 * account's failures. Keys: the account <em>from one client address</em> (so guessing {@code ops}'s password from
 * one host slows that host down and nobody else: an attacker cannot aim a lockout at {@code ops}), and the client
 * address alone (a spray of usernames from one host).
 * <p>
 * Values are plain strings ({@code "failures:checking:notBeforeMillis:changedAtMillis"}): whatever goes into a
 * replicated cache must marshal, and a {@code compute} lambda would have to ship this bean to the other node
 * (ISPN000136). A throttle is derived state: losing it costs nothing but a fresh allowance.
 */
@ApplicationScoped
@ModuleApi
public class LoginThrottle {

    /** How long an attempt waits for slots held by attempts still being checked. */
    private static final long WAIT_FOR_CHECKS_MILLIS = 3_000;
    /** Slots held longer than this belong to a check that never ended (its node died): they are freed. */
    private static final long STALE_CHECK_MILLIS = 10_000;

    /** An attempt that holds its slots; report how it ended, or close it (an error: it frees the slots). */
    public final class Attempt implements AutoCloseable {
        private final String pairKey;
        private final String addressKey;
        private boolean ended;

        private Attempt(String pairKey, String addressKey) {
            this.pairKey = pairKey;
            this.addressKey = addressKey;
        }

        /** Right password: the account's failures from this address are forgotten, both slots are freed. */
        public void succeeded() {
            ended = true;
            end(pairKey, Outcome.SUCCEEDED, config.loginAttemptsPerAccount());
            end(addressKey, Outcome.ABANDONED, config.loginAttemptsPerAddress());
        }

        /** Wrong password: the slot becomes a failure on both keys, and past the allowance a delay starts. */
        public void failed() {
            ended = true;
            end(pairKey, Outcome.FAILED, config.loginAttemptsPerAccount());
            end(addressKey, Outcome.FAILED, config.loginAttemptsPerAddress());
        }

        @Override
        public void close() {
            if (!ended) {
                ended = true;
                end(pairKey, Outcome.ABANDONED, config.loginAttemptsPerAccount());
                end(addressKey, Outcome.ABANDONED, config.loginAttemptsPerAddress());
            }
        }
    }

    private enum Outcome { SUCCEEDED, FAILED, ABANDONED }

    private record State(long failures, long checking, long notBefore, long changedAt) {
        static State parse(String value) {
            if (value == null) {
                return new State(0, 0, 0, 0);
            }
            String[] p = value.split(":");
            return new State(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]));
        }

        String format() {
            return failures + ":" + checking + ":" + notBefore + ":" + changedAt;
        }
    }

    private final Cache<String, String> slots;
    private final HoldfastConfig.Security config;
    private final long forgetMillis;

    LoginThrottle(HoldfastConfig config, EmbeddedCacheManager caches) {
        this.config = config.security();
        this.slots = caches.getCache(Caches.THROTTLES);
        // a count is forgotten once nobody tried for a while, but never before the longest delay ran out
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
        } catch (RuntimeException refused) {
            end(addressKey, Outcome.ABANDONED, config.loginAttemptsPerAddress());
            throw refused;
        }
        return new Attempt(pairKey, addressKey);
    }

    /** Takes a sign-up slot of this address (sign-up costs a bcrypt hash), or refuses it with 429. */
    public void signUp(String address) {
        String key = "signup-from:" + address;
        take(key, config.signupsPerAddress());
        end(key, Outcome.FAILED, config.signupsPerAddress()); // every sign-up counts, made or not
    }

    /** Counts this attempt as being checked, once a slot is free and no delay runs. */
    private void take(String key, int allowance) {
        long waitUntil = System.currentTimeMillis() + WAIT_FOR_CHECKS_MILLIS;
        while (true) {
            long now = System.currentTimeMillis();
            String current = slots.get(key);
            State s = State.parse(current);
            if (s.checking() > 0 && now - s.changedAt() > STALE_CHECK_MILLIS) {
                s = new State(s.failures(), 0, s.notBefore(), now);
            }
            if (now < s.notBefore()) {
                throw refuse(s.notBefore() - now);
            }
            boolean free = s.failures() + s.checking() < allowance
                    // the allowance is used up by failures and the delay ran out: one attempt at a time
                    || (s.failures() >= allowance && s.checking() == 0);
            if (!free) {
                if (now >= waitUntil) {
                    throw refuse(1_000);
                }
                pause();
                continue;
            }
            State taken = new State(s.failures(), s.checking() + 1, s.notBefore(), now);
            if (swap(key, current, taken)) {
                return;
            }
        }
    }

    private void end(String key, Outcome outcome, int allowance) {
        for (int i = 0; i < 100; i++) {
            long now = System.currentTimeMillis();
            String current = slots.get(key);
            if (current == null) {
                return;
            }
            State s = State.parse(current);
            long checking = Math.max(0, s.checking() - 1);
            State next = switch (outcome) {
                case SUCCEEDED -> new State(0, checking, 0, now);
                case ABANDONED -> new State(s.failures(), checking, s.notBefore(), now);
                case FAILED -> {
                    long failures = s.failures() + 1;
                    yield new State(failures, checking, failures >= allowance ? now + delay(failures - allowance) : 0, now);
                }
            };
            if (swap(key, current, next)) {
                return;
            }
        }
    }

    private boolean swap(String key, String current, State next) {
        return ReplicatedWrite.orLocal(slots, c -> current == null
                ? c.putIfAbsent(key, next.format(), forgetMillis, TimeUnit.MILLISECONDS) == null
                : c.replace(key, current, next.format(), forgetMillis, TimeUnit.MILLISECONDS));
    }

    /** First delay past the allowance, doubling with every further failure, up to the cap. */
    private long delay(long beyond) {
        long first = config.throttleDelay().toMillis();
        long max = config.throttleMaxDelay().toMillis();
        return beyond >= 30 ? max : Math.min(max, first << beyond);
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ProblemException refuse(long waitMillis) {
        return new ProblemException(429, "RATE_LIMITED", "Too many attempts from here; wait and try again",
                Duration.ofMillis(waitMillis + 999));
    }
}
