package io.holdfast.wallet;

/**
 * An account's status changed (an admin's block or unblock, a self-exclusion). Fired inside the transaction
 * that made the change: observe it with {@code @Observes(during = TransactionPhase.AFTER_SUCCESS)} to act only
 * once it committed, e.g. to end the sessions of a blocked account (docs/API.md: "blocking ends the account's
 * sessions"). The one place it is fired for admin changes is {@link Accounts#setStatus}.
 */
record AccountStatusChanged(long accountId, String username, AccountStatus from, AccountStatus to,
        String actor) {
}
