package io.holdfast.web;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import io.holdfast.odds.EventStatus;
import io.holdfast.odds.OddsAdmin;
import io.holdfast.odds.OddsCatalog;
import io.holdfast.odds.Views.EventView;
import io.holdfast.platform.AuditLog;
import io.holdfast.platform.CurrentUser;
import io.holdfast.settlement.Results;
import io.holdfast.settlement.Liabilities;
import io.holdfast.settlement.MarketSettlement;
import io.holdfast.wallet.AccountStatus;
import io.holdfast.wallet.AccountView;
import io.holdfast.wallet.Accounts;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** Back office (admin): events and markets, prices, suspension, results and settlement, accounts, audit. */
@Path("/back-office")
@Produces(MediaType.TEXT_HTML)
public class BackOfficePages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance events(List<EventView> events, String message, String error);

        static native TemplateInstance market(MarketSettlement market, EventView event, String message, String error);

        static native TemplateInstance accounts(String q, List<AccountView> accounts);

        static native TemplateInstance account(AccountView account, List<AccountStatus> statuses, String message,
                String error);

        static native TemplateInstance audit(List<AuditLog.Entry> entries);
    }

    private final OddsCatalog catalog;
    private final OddsAdmin odds;
    private final Results results;
    private final Liabilities liabilities;
    private final Accounts accounts;
    private final AuditLog audit;
    private final CurrentUser user;

    BackOfficePages(OddsCatalog catalog, OddsAdmin odds, Results results, Liabilities liabilities,
            Accounts accounts, AuditLog audit, CurrentUser user) {
        this.catalog = catalog;
        this.odds = odds;
        this.results = results;
        this.liabilities = liabilities;
        this.accounts = accounts;
        this.audit = audit;
        this.user = user;
    }

    @GET
    public TemplateInstance events(@QueryParam("done") String done) {
        return eventsView(done == null ? null : "Done.", null);
    }

    @POST
    @Path("events")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createEvent(@RestForm String name, @RestForm String startsAt) {
        if (name == null || name.isBlank() || name.length() > 200) {
            return Pages.page(422, eventsView(null, "An event needs a name (up to 200 characters)."));
        }
        Instant starts;
        try {
            starts = startsAt == null || startsAt.isBlank() ? Instant.now().plusSeconds(3600)
                    : LocalDateTime.parse(startsAt.trim()).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return Pages.page(422, eventsView(null, "Start time as 2026-12-01T18:30 (UTC)."));
        }
        return act(() -> odds.createEvent(user.name(), name.trim(), starts, null, null), "/back-office?done=1");
    }

    @POST
    @Path("events/{id}/markets")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response addMarket(@PathParam("id") long eventId, @RestForm String name, @RestForm String selections) {
        List<OddsAdmin.NewSelection> parsed = new ArrayList<>();
        String error = null;
        if (name == null || name.isBlank() || name.length() > 200) {
            error = "A market needs a name.";
        } else if (selections == null || selections.isBlank()) {
            error = "List the selections, one per line: Name @ 2.10";
        } else {
            for (String line : selections.split("\\R")) {
                if (line.isBlank()) {
                    continue;
                }
                int at = line.lastIndexOf('@');
                BigDecimal price = at < 0 ? null : parseOdds(line.substring(at + 1));
                String selection = at < 0 ? "" : line.substring(0, at).trim();
                if (price == null || selection.isEmpty() || selection.length() > 100) {
                    error = "Cannot read '" + line.trim() + "': write Name @ 2.10 (odds 1.01 to 1000).";
                    break;
                }
                parsed.add(new OddsAdmin.NewSelection(selection, price));
            }
        }
        if (error == null && (parsed.isEmpty() || parsed.size() > 100)) {
            error = "A market has 1 to 100 selections.";
        }
        if (error != null) {
            return Pages.page(422, eventsView(null, error));
        }
        return act(() -> odds.addMarket(user.name(), eventId, name.trim(), parsed), "/back-office?done=1");
    }

    @POST
    @Path("events/{id}/start")
    public Response start(@PathParam("id") long eventId) {
        return act(() -> odds.start(user.name(), eventId), "/back-office?done=1");
    }

    @POST
    @Path("events/{id}/finish")
    public Response finish(@PathParam("id") long eventId) {
        return act(() -> odds.finish(user.name(), eventId), "/back-office?done=1");
    }

    @GET
    @Path("markets/{id}")
    public TemplateInstance market(@PathParam("id") long marketId, @QueryParam("done") String done) {
        return marketView(marketId, done == null ? null : "Done.", null);
    }

    @POST
    @Path("selections/{id}/odds")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response changeOdds(@PathParam("id") long selectionId, @RestForm long market, @RestForm String odds) {
        BigDecimal price = parseOdds(odds);
        if (price == null) {
            return Pages.page(422, marketView(market, null, "Odds are a decimal from 1.01 to 1000.00, e.g. 2.35"));
        }
        return actOnMarket(market, () -> this.odds.changeOdds(user.name(), selectionId, price));
    }

    @POST
    @Path("markets/{id}/suspend")
    public Response suspend(@PathParam("id") long marketId) {
        return actOnMarket(marketId, () -> odds.suspend(user.name(), marketId));
    }

    @POST
    @Path("markets/{id}/resume")
    public Response resume(@PathParam("id") long marketId) {
        return actOnMarket(marketId, () -> odds.resume(user.name(), marketId));
    }

    @POST
    @Path("markets/{id}/result")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response result(@PathParam("id") long marketId, @FormParam("winner") List<Long> winners,
            @FormParam("void") List<Long> voids, @RestForm String voidMarket) {
        long[] w = winners == null ? new long[0] : winners.stream().mapToLong(Long::longValue).toArray();
        long[] v = voids == null ? new long[0] : voids.stream().mapToLong(Long::longValue).toArray();
        return actOnMarket(marketId, () -> results.post(user.name(), marketId, w, v, "yes".equals(voidMarket)));
    }

    @POST
    @Path("markets/{id}/retry")
    public Response retry(@PathParam("id") long marketId) {
        return actOnMarket(marketId, () -> results.retryNow(user.name(), marketId));
    }

    @GET
    @Path("accounts")
    public TemplateInstance accounts(@QueryParam("q") String q) {
        String query = q == null ? "" : q.trim();
        return Templates.accounts(query, query.length() > 64 ? List.of() : accounts.search(query, 100));
    }

    @GET
    @Path("accounts/{id}")
    public TemplateInstance account(@PathParam("id") long id, @QueryParam("done") String done) {
        return Templates.account(accounts.get(id), List.of(AccountStatus.values()), done == null ? null : "Saved.", null);
    }

    @POST
    @Path("accounts/{id}/status")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response accountStatus(@PathParam("id") long id, @RestForm String status) {
        AccountStatus chosen;
        try {
            chosen = AccountStatus.valueOf(status == null ? "" : status);
        } catch (IllegalArgumentException e) {
            return Pages.page(422, Templates.account(accounts.get(id), List.of(AccountStatus.values()), null,
                    "Choose a status."));
        }
        return RefusedForm.attempt(() -> accounts.setStatus(user.name(), id, chosen),
                "/back-office/accounts/" + id + "?done=1", e -> Templates.account(accounts.get(id),
                        List.of(AccountStatus.values()), null, e.getMessage()));
    }

    @GET
    @Path("audit")
    public TemplateInstance audit() {
        return Templates.audit(audit.recent(300));
    }

    private TemplateInstance eventsView(String message, String error) {
        return Templates.events(catalog.events(List.of(EventStatus.values()), 200), message, error);
    }

    private TemplateInstance marketView(long marketId, String message, String error) {
        MarketSettlement market = liabilities.market(marketId);
        return Templates.market(market, catalog.event(market.eventId()).orElseThrow(), message, error);
    }

    private Response act(Runnable action, String then) {
        return RefusedForm.attempt(action, then, e -> eventsView(null, e.getMessage()));
    }

    private Response actOnMarket(long marketId, Runnable action) {
        return RefusedForm.attempt(action, "/back-office/markets/" + marketId + "?done=1",
                e -> marketView(marketId, null, e.getMessage()));
    }

    private static BigDecimal parseOdds(String text) {
        try {
            BigDecimal odds = new BigDecimal(text.trim());
            if (odds.scale() > 2 || odds.compareTo(new BigDecimal("1.01")) < 0
                    || odds.compareTo(new BigDecimal("1000.00")) > 0) {
                return null;
            }
            return odds.setScale(2);
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }
}
