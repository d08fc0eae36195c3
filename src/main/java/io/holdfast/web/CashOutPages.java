package io.holdfast.web;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestForm;

import io.holdfast.betting.BetView;
import io.holdfast.betting.CashOut;
import io.holdfast.betting.CashOutCommand;
import io.holdfast.platform.CurrentUser;
import io.holdfast.platform.ProblemException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Cash-out on "My bets": ask for a quote, then accept it within its few seconds. Both are form posts (CSRF checked);
 * the quote's form carries a requestId made with it, so a double click or a retry takes the quote once. A refusal
 * (suspended market, expired quote, price moved) is the outcome of the action, shown in the bet's row.
 */
@Path("/my/bets/{id}/cash-out")
@Produces(MediaType.TEXT_HTML)
public class CashOutPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance ask(long betId, String code, String detail);

        static native TemplateInstance quote(long betId, CashOut.Offer offer, String requestId, long remainingMillis,
                long seconds);

        static native TemplateInstance done(BetView bet);
    }

    private final CashOut cashOut;
    private final CurrentUser user;

    CashOutPages(CashOut cashOut, CurrentUser user) {
        this.cashOut = cashOut;
        this.user = user;
    }

    @POST
    @Path("quote")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance quote(@PathParam("id") long id) {
        try {
            CashOut.Offer offer = cashOut.quote(user.accountId(), id);
            long remaining = Math.max(0, Duration.between(Instant.now(), offer.validUntil()).toMillis());
            return Templates.quote(id, offer, UUID.randomUUID().toString(), remaining, (remaining + 999) / 1000);
        } catch (ProblemException e) {
            return refused(id, e);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance take(@PathParam("id") long id, @RestForm String quoteId, @RestForm String requestId) {
        if (quoteId == null || quoteId.isBlank() || requestId == null || requestId.isBlank() || requestId.length() > 64
                || quoteId.length() > 64) {
            return Templates.ask(id, "VALIDATION_FAILED", "Ask for a quote first");
        }
        try {
            return Templates.done(cashOut.take(user.accountId(), id, new CashOutCommand(requestId, quoteId)).bet());
        } catch (ProblemException e) {
            return refused(id, e);
        }
    }

    private static TemplateInstance refused(long id, ProblemException e) {
        if (e.status() == 404 || e.status() >= 500) {
            throw e; // not this bettor's bet, or a passive node: not an outcome to show in the row
        }
        return Templates.ask(id, e.code(), e.getMessage());
    }
}
