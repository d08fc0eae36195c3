package io.holdfast.betting;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import io.holdfast.platform.CurrentUser;
import io.holdfast.platform.ProblemException;

/** The bettor's bets: place, list, view. A bettor sees only its own bets (others are 404). */
@Path("/api/bets")
@RolesAllowed("bettor")
public class BetResource {

    private final PlaceBet placeBet;
    private final BetStore bets;
    private final CashOut cashOut;
    private final CurrentUser user;

    BetResource(PlaceBet placeBet, BetStore bets, CashOut cashOut, CurrentUser user) {
        this.placeBet = placeBet;
        this.bets = bets;
        this.cashOut = cashOut;
        this.user = user;
    }

    @POST
    public Response place(@Valid @NotNull PlaceBetCommand command) {
        PlaceBet.Placed placed = placeBet.place(user.accountId(), command);
        return Response.status(placed.created() ? 201 : 200).entity(placed.bet()).build();
    }

    @GET
    public List<BetView> history(@QueryParam("status") String status,
            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit,
            @QueryParam("before") @Positive Long before) {
        return bets.history(user.accountId(), parse(status), before, limit);
    }

    @GET
    @Path("/{id}")
    public BetView bet(@PathParam("id") long id) {
        return bets.find(user.accountId(), id).orElseThrow(() -> ProblemException.notFound("Bet"));
    }

    /** A quote to cash the bet out now: 409 CASH_OUT_UNAVAILABLE when it is settled or a leg's market does not trade. */
    @GET
    @Path("/{id}/cash-out")
    public CashOut.Offer cashOutQuote(@PathParam("id") long id) {
        return cashOut.quote(user.accountId(), id);
    }

    /** Takes a quote: 200 the bet, CASHED_OUT; the same requestId again answers the same, paid once. */
    @POST
    @Path("/{id}/cash-out")
    public BetView cashOut(@PathParam("id") long id, @Valid @NotNull CashOutCommand command) {
        return cashOut.take(user.accountId(), id, command).bet();
    }

    private static BetStatus parse(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return BetStatus.valueOf(status.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("status must be one of PENDING, ACCEPTED, REJECTED, WON, LOST, VOID, CASHED_OUT");
        }
    }
}
