package io.holdfast.wallet;

import java.util.List;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import io.holdfast.platform.CurrentUser;
import io.quarkus.security.Authenticated;

/** The bettor's side of the wallet: sign-up, own account, deposits, history, responsible-gambling settings. */
@Path("/api")
public class WalletResource {

    public record SignUp(
            @NotBlank @Size(min = 3, max = 32) @Pattern(regexp = "[A-Za-z0-9_.-]+",
                    message = "may contain letters, digits, '_', '.' and '-'") String username,
            @NotBlank @Size(min = 8, max = 72) String password) {
    }

    public record Created(long id, String username) {
    }

    public record Me(long id, String username, long balance, String currency, AccountStatus status,
            Long dailyStakeLimit, long stakedToday) {
        static Me of(AccountView a) {
            return new Me(a.id(), a.username(), a.balance(), a.currency(), a.status(), a.dailyStakeLimit(),
                    a.stakedToday());
        }
    }

    public record DepositRequest(@NotBlank @Size(max = 64) String requestId, @NotNull @Positive Long amount) {
    }

    public record Balance(long balance) {
    }

    public record Limits(@NotNull @Positive Long dailyStakeLimit) {
    }

    private final Accounts accounts;
    private final Wallet wallet;
    private final CurrentUser user;

    WalletResource(Accounts accounts, Wallet wallet, CurrentUser user) {
        this.accounts = accounts;
        this.wallet = wallet;
        this.user = user;
    }

    @POST
    @Path("/accounts")
    @PermitAll
    public Response signUp(@Valid @NotNull SignUp body) {
        AccountView created = accounts.register(body.username(), body.password());
        return Response.status(201).entity(new Created(created.id(), created.username())).build();
    }

    @GET
    @Path("/me")
    @Authenticated
    public Me me() {
        return Me.of(accounts.get(user.accountId()));
    }

    @POST
    @Path("/wallet/deposits")
    @RolesAllowed("bettor")
    public Response deposit(@Valid @NotNull DepositRequest body) {
        Wallet.Deposit result = wallet.deposit(user.accountId(), body.requestId(), body.amount());
        return Response.status(result.credited() ? 201 : 200).entity(new Balance(result.balance())).build();
    }

    @GET
    @Path("/wallet/transactions")
    @RolesAllowed("bettor")
    public List<Transaction> transactions(@QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return wallet.transactions(user.accountId(), limit);
    }

    @PUT
    @Path("/me/limits")
    @RolesAllowed("bettor")
    public Me setLimits(@Valid @NotNull Limits body) {
        return Me.of(accounts.setDailyStakeLimit(user.accountId(), body.dailyStakeLimit()));
    }

    @POST
    @Path("/me/self-exclusion")
    @RolesAllowed("bettor")
    public Me selfExclude() {
        return Me.of(accounts.selfExclude(user.accountId()));
    }
}
