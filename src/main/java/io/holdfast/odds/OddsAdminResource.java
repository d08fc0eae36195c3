package io.holdfast.odds;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import io.holdfast.odds.Views.EventView;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.odds.Views.SelectionView;
import io.holdfast.platform.CurrentUser;

/** Back office: events, markets, prices, suspension. */
@Path("/api/admin")
@RolesAllowed("admin")
public class OddsAdminResource {

    /** {@code sport} and {@code competition} are optional (beyond the contract): without them, "Other". */
    public record NewEvent(@NotBlank @Size(max = 200) String name, @NotNull Instant startsAt,
            @Pattern(regexp = ".*\\S.*") @Size(max = 100) String sport,
            @Pattern(regexp = ".*\\S.*") @Size(max = 100) String competition) {
    }

    public record NewSelection(@NotBlank @Size(max = 100) String name, @NotNull @Valid @DecimalMin("1.01")
            @DecimalMax("1000.00") @Digits(integer = 4, fraction = 2) BigDecimal odds) {
    }

    public record NewMarket(@NotBlank @Size(max = 200) String name,
            @NotEmpty @Size(max = 100) List<@Valid @NotNull NewSelection> selections) {
    }

    public record OddsChange(@NotNull @DecimalMin("1.01") @DecimalMax("1000.00") @Digits(integer = 4, fraction = 2)
            BigDecimal odds) {
    }

    private final OddsAdmin admin;
    private final CurrentUser user;

    OddsAdminResource(OddsAdmin admin, CurrentUser user) {
        this.admin = admin;
        this.user = user;
    }

    @POST
    @Path("/events")
    public Response createEvent(@Valid @NotNull NewEvent body) {
        EventView event = admin.createEvent(user.name(), body.name(), body.startsAt(),
                trimmed(body.sport()), trimmed(body.competition()));
        return Response.status(201).entity(event).build();
    }

    @POST
    @Path("/events/{id}/markets")
    public Response addMarket(@PathParam("id") long eventId, @Valid @NotNull NewMarket body) {
        MarketView market = admin.addMarket(user.name(), eventId, body.name(), body.selections().stream()
                .map(s -> new OddsAdmin.NewSelection(s.name(), s.odds())).toList());
        return Response.status(201).entity(market).build();
    }

    @POST
    @Path("/events/{id}/start")
    public EventView start(@PathParam("id") long eventId) {
        return admin.start(user.name(), eventId);
    }

    @POST
    @Path("/events/{id}/finish")
    public EventView finish(@PathParam("id") long eventId) {
        return admin.finish(user.name(), eventId);
    }

    @PUT
    @Path("/selections/{id}/odds")
    public SelectionView changeOdds(@PathParam("id") long selectionId, @Valid @NotNull OddsChange body) {
        return admin.changeOdds(user.name(), selectionId, body.odds());
    }

    @POST
    @Path("/markets/{id}/suspend")
    public MarketView suspend(@PathParam("id") long marketId) {
        return admin.suspend(user.name(), marketId);
    }

    @POST
    @Path("/markets/{id}/resume")
    public MarketView resume(@PathParam("id") long marketId) {
        return admin.resume(user.name(), marketId);
    }

    private static String trimmed(String s) {
        return s == null ? null : s.trim();
    }
}
