package io.holdfast.settlement;

import java.time.Instant;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import io.holdfast.platform.CurrentUser;

/** Back office: post results (settled asynchronously), and a market's settlement state and liability. */
@Path("/api/admin")
@RolesAllowed("admin")
public class SettlementAdminResource {

    private final Results results;
    private final Liabilities liabilities;
    private final CurrentUser user;

    SettlementAdminResource(Results results, Liabilities liabilities, CurrentUser user) {
        this.results = results;
        this.liabilities = liabilities;
        this.user = user;
    }

    @POST
    @Path("/markets/{id}/result")
    public Response post(@PathParam("id") long marketId, @Valid @NotNull ResultJson body) {
        long[] winners = body.winners == null ? new long[0] : body.winners.stream().mapToLong(Long::longValue).toArray();
        long[] voids = body.voids == null ? new long[0] : body.voids.stream().mapToLong(Long::longValue).toArray();
        Results.Posted posted = results.post(user.name(), marketId, winners, voids, Boolean.TRUE.equals(body.voidMarket),
                body.closedAt);
        return Response.accepted(posted).build();
    }

    @GET
    @Path("/markets/{id}")
    public MarketSettlement market(@PathParam("id") long marketId) {
        return liabilities.market(marketId);
    }

    /**
     * The result body: {"winners":[…],"void":[…]} or {"voidMarket":true}, and optionally "closedAt" (when the
     * market really closed: bets placed at or after it are void).
     */
    public static class ResultJson {
        public Instant closedAt;
        @Size(max = 100)
        public List<@NotNull Long> winners;
        @Size(max = 100)
        @com.fasterxml.jackson.annotation.JsonProperty("void")
        public List<@NotNull Long> voids;
        public Boolean voidMarket;
    }
}
