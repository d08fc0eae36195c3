package io.holdfast.wallet;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import io.holdfast.platform.CurrentUser;

/** Back office: find, view and block accounts. */
@Path("/api/admin/accounts")
@RolesAllowed("admin")
public class AccountAdminResource {

    public record StatusChange(@NotNull AccountStatus status) {
    }

    private final Accounts accounts;
    private final CurrentUser user;

    AccountAdminResource(Accounts accounts, CurrentUser user) {
        this.accounts = accounts;
        this.user = user;
    }

    @GET
    public List<AccountView> search(@QueryParam("q") @DefaultValue("") String query,
            @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
        return accounts.search(query, limit);
    }

    @GET
    @Path("/{id}")
    public AccountView get(@PathParam("id") long id) {
        return accounts.get(id);
    }

    @POST
    @Path("/{id}/status")
    public AccountView setStatus(@PathParam("id") long id, @Valid @NotNull StatusChange body) {
        return accounts.setStatus(user.name(), id, body.status());
    }
}
