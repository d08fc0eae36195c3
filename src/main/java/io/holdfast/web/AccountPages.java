package io.holdfast.web;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import io.holdfast.platform.CurrentUser;
import io.holdfast.wallet.AccountView;
import io.holdfast.wallet.Accounts;
import io.holdfast.wallet.Transaction;
import io.holdfast.wallet.Wallet;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The bettor's own account: the wallet (deposits, transactions) and the settings (daily limit, self-exclusion). */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class AccountPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance wallet(AccountView me, List<Transaction> transactions, String requestId,
                String message, String error);

        static native TemplateInstance settings(AccountView me, String message, String error);
    }

    private final Accounts accounts;
    private final Wallet wallet;
    private final CurrentUser user;

    AccountPages(Accounts accounts, Wallet wallet, CurrentUser user) {
        this.accounts = accounts;
        this.wallet = wallet;
        this.user = user;
    }

    @GET
    @Path("my/wallet")
    public TemplateInstance walletPage(@QueryParam("deposited") String deposited, @QueryParam("welcome") String welcome) {
        String message = deposited != null ? "Deposit received." : welcome != null ? "Welcome! Deposit to start betting." : null;
        return walletView(message, null);
    }

    @POST
    @Path("my/wallet/deposit")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response deposit(@RestForm String amount, @RestForm String requestId) {
        Long cents = Money.parse(amount);
        if (cents == null || requestId == null || requestId.isBlank() || requestId.length() > 64) {
            return Pages.page(422, walletView(null, "Enter an amount, e.g. 50.00"));
        }
        return RefusedForm.attempt(() -> wallet.deposit(user.accountId(), requestId, cents), "/my/wallet?deposited=1",
                e -> walletView(null, e.getMessage()));
    }

    @GET
    @Path("my/settings")
    public TemplateInstance settingsPage(@QueryParam("saved") String saved) {
        return settingsView(saved != null ? "Saved." : null, null);
    }

    @POST
    @Path("my/settings/limit")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response dailyLimit(@RestForm String limit) {
        Long cents = Money.parse(limit);
        if (cents == null) {
            return Pages.page(422, settingsView(null, "Enter a daily stake limit, e.g. 100.00"));
        }
        return RefusedForm.attempt(() -> accounts.setDailyStakeLimit(user.accountId(), cents), "/my/settings?saved=1",
                e -> settingsView(null, e.getMessage()));
    }

    @POST
    @Path("my/settings/self-exclusion")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response selfExclude(@RestForm String confirm) {
        if (!"yes".equals(confirm)) {
            return Pages.page(422, settingsView(null, "Tick the box to confirm the self-exclusion."));
        }
        return RefusedForm.attempt(() -> accounts.selfExclude(user.accountId()), "/my/settings?saved=1",
                e -> settingsView(null, e.getMessage()));
    }

    private TemplateInstance walletView(String message, String error) {
        long id = user.accountId();
        return Templates.wallet(accounts.get(id), wallet.transactions(id, 100), UUID.randomUUID().toString(), message,
                error);
    }

    private TemplateInstance settingsView(String message, String error) {
        return Templates.settings(accounts.get(user.accountId()), message, error);
    }
}
