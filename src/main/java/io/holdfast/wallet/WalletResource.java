package io.holdfast.wallet;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

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

import com.fasterxml.jackson.databind.JsonNode;

import io.holdfast.platform.CurrentUser;
import io.holdfast.platform.ProblemException;
import io.quarkus.security.Authenticated;

/** The bettor's side of the wallet: sign-up, own account, deposits, withdrawals, history, responsible-gambling settings. */
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
            Long dailyStakeLimit, long stakedToday, Instant timedOutUntil, Instant selfExcludedUntil) {
        static Me of(AccountView a) {
            return new Me(a.id(), a.username(), a.balance(), a.currency(), a.status(), a.dailyStakeLimit(),
                    a.stakedToday(), a.timedOutUntil(), a.selfExcludedUntil());
        }
    }

    public record DepositRequest(@NotBlank @Size(max = 64) String requestId, @NotNull @Positive Long amount) {
    }

    public record Balance(long balance) {
    }

    public record WithdrawalRequest(@NotBlank @Size(max = 64) String requestId, @NotNull @Positive Long amount) {
    }

    public record TimeOut(@NotNull Integer days) {
    }

    public record SelfExclusion(Integer months) {
    }

    private final Accounts accounts;
    private final Wallet wallet;
    private final Limits limits;
    private final CurrentUser user;

    WalletResource(Accounts accounts, Wallet wallet, Limits limits, CurrentUser user) {
        this.limits = limits;
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

    @POST
    @Path("/wallet/withdrawals")
    @RolesAllowed("bettor")
    public Response withdraw(@Valid @NotNull WithdrawalRequest body) {
        Wallet.Deposit result = wallet.withdraw(user.accountId(), body.requestId(), body.amount());
        return Response.status(result.credited() ? 201 : 200).entity(new Balance(result.balance())).build();
    }

    @GET
    @Path("/wallet/transactions")
    @RolesAllowed("bettor")
    public List<Transaction> transactions(@QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit,
            @QueryParam("before") @Positive Long before) {
        return wallet.transactions(user.accountId(), before, limit);
    }

    @GET
    @Path("/me/limits")
    @RolesAllowed("bettor")
    public Limits.View limits() {
        return limits.view(user.accountId());
    }

    /** Any of the four limits; a field set to null removes that limit (after the cooling-off). */
    @PUT
    @Path("/me/limits")
    @RolesAllowed("bettor")
    public Limits.View setLimits(JsonNode body) {
        if (body == null || !body.isObject() || body.isEmpty()) {
            throw ProblemException.badRequest("Send an object with any of " + Arrays.toString(Limits.Name.values()));
        }
        Map<Limits.Name, Long> changes = new EnumMap<>(Limits.Name.class);
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            Limits.Name name = Arrays.stream(Limits.Name.values()).filter(n -> n.name().equals(field.getKey()))
                    .findFirst().orElseThrow(() -> ProblemException.badRequest("Unknown limit '" + field.getKey()
                            + "'; the limits are " + Arrays.toString(Limits.Name.values())));
            JsonNode value = field.getValue();
            if (value.isNull()) {
                changes.put(name, null);
            } else if (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() > 0) {
                changes.put(name, value.longValue());
            } else {
                throw ProblemException.badRequest(field.getKey() + ": must be a positive amount in cents, or null");
            }
        }
        return limits.change(user.accountId(), changes);
    }

    @POST
    @Path("/me/time-out")
    @RolesAllowed("bettor")
    public Me timeOut(@Valid @NotNull TimeOut body) {
        return Me.of(accounts.timeOut(user.accountId(), body.days()));
    }

    @POST
    @Path("/me/self-exclusion")
    @RolesAllowed("bettor")
    public Me selfExclude(SelfExclusion body) {
        int months = body == null || body.months() == null ? 6 : body.months();
        return Me.of(accounts.selfExclude(user.accountId(), months));
    }
}
