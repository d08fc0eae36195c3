package io.holdfast.platform;

import jakarta.enterprise.context.RequestScoped;

import io.quarkus.security.identity.SecurityIdentity;

/** The authenticated caller of this request: its account id and name. */
@RequestScoped
@ModuleApi
public class CurrentUser {

    public static final String ACCOUNT_ID = "holdfast.account-id";
    /** The account's status name (ACTIVE, BLOCKED, ...) when the identity was made. */
    public static final String ACCOUNT_STATUS = "holdfast.account-status";

    private final SecurityIdentity identity;

    CurrentUser(SecurityIdentity identity) {
        this.identity = identity;
    }

    public long accountId() {
        Long id = identity.getAttribute(ACCOUNT_ID);
        if (id == null) {
            throw new io.quarkus.security.UnauthorizedException();
        }
        return id;
    }

    /** The id of the login session this request came with, or null (HTTP Basic). */
    public String sessionId() {
        return identity.isAnonymous() ? null : Sessions.idOf(identity);
    }

    public String name() {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }
}
