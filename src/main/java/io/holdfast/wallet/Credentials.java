package io.holdfast.wallet;

import java.util.Set;

/** What authentication needs to know of an account; the hash never leaves the security path. */
record Credentials(long id, String username, String passwordHash, Set<String> roles, AccountStatus status) {
}
