package io.holdfast.web;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
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
import io.holdfast.wallet.Limits;
import io.holdfast.wallet.Transaction;
import io.holdfast.wallet.Wallet;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The bettor's own account: the wallet (deposits, withdrawals, transactions page by page) and the settings
 * (stake and deposit limits, time-out, self-exclusion).
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class AccountPages {

    /** Rows of the wallet's history per page; a full page links to the older ones. */
    static final int PAGE = 50;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance wallet(AccountView me, List<Transaction> transactions, Long older,
                String requestId, String message, String error);

        static native TemplateInstance settings(AccountView me, Limits.View limits, String message, String error);
    }

    private final Accounts accounts;
    private final Wallet wallet;
    private final Limits limits;
    private final CurrentUser user;

    AccountPages(Accounts accounts, Wallet wallet, Limits limits, CurrentUser user) {
        this.accounts = accounts;
        this.wallet = wallet;
        this.limits = limits;
        this.user = user;
    }

    @GET
    @Path("my/wallet")
    public TemplateInstance walletPage(@QueryParam("deposited") String deposited, @QueryParam("welcome") String welcome,
            @QueryParam("withdrawn") String withdrawn, @QueryParam("before") Long before) {
        String message = deposited != null ? "Deposit received." : withdrawn != null ? "Withdrawal sent."
                : welcome != null ? "Welcome! Deposit to start betting." : null;
        return walletView(message, null, before);
    }

    @POST
    @Path("my/wallet/withdraw")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response withdraw(@RestForm String amount, @RestForm String requestId) {
        Long cents = Money.parse(amount);
        if (cents == null || requestId == null || requestId.isBlank() || requestId.length() > 64) {
            return Pages.page(422, walletView(null, "Enter an amount to withdraw, e.g. 20.00", null));
        }
        return RefusedForm.attempt(() -> wallet.withdraw(user.accountId(), requestId, cents), "/my/wallet?withdrawn=1",
                e -> walletView(null, e.getMessage(), null));
    }

    @POST
    @Path("my/wallet/deposit")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response deposit(@RestForm String amount, @RestForm String requestId) {
        Long cents = Money.parse(amount);
        if (cents == null || requestId == null || requestId.isBlank() || requestId.length() > 64) {
            return Pages.page(422, walletView(null, "Enter an amount, e.g. 50.00", null));
        }
        return RefusedForm.attempt(() -> wallet.deposit(user.accountId(), requestId, cents), "/my/wallet?deposited=1",
                e -> walletView(null, e.getMessage(), null));
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

    /** The deposit limits (blank: leave as it is): a lower one applies at once, a higher one after 24 hours. */
    @POST
    @Path("my/settings/deposit-limits")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response depositLimits(@RestForm String day, @RestForm String week, @RestForm String month) {
        Map<Limits.Name, Long> changes = new EnumMap<>(Limits.Name.class);
        String[][] fields = { { day, "depositLimitDay" }, { week, "depositLimitWeek" }, { month, "depositLimitMonth" } };
        for (String[] field : fields) {
            if (field[0] == null || field[0].isBlank()) {
                continue;
            }
            Long cents = Money.parse(field[0]);
            if (cents == null || cents <= 0) {
                return Pages.page(422, settingsView(null, "Enter deposit limits as amounts, e.g. 100.00"));
            }
            changes.put(Limits.Name.valueOf(field[1]), cents);
        }
        if (changes.isEmpty()) {
            return Pages.page(422, settingsView(null, "Enter at least one deposit limit, e.g. 100.00"));
        }
        return RefusedForm.attempt(() -> limits.change(user.accountId(), changes), "/my/settings?saved=1",
                e -> settingsView(null, e.getMessage()));
    }

    @POST
    @Path("my/settings/time-out")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response timeOut(@RestForm String days, @RestForm String confirm) {
        if (!"yes".equals(confirm) || !List.of("1", "7", "30").contains(days)) {
            return Pages.page(422, settingsView(null, "Choose 1, 7 or 30 days and tick the box to confirm the time-out."));
        }
        return RefusedForm.attempt(() -> accounts.timeOut(user.accountId(), Integer.parseInt(days)), "/my/settings?saved=1",
                e -> settingsView(null, e.getMessage()));
    }

    @POST
    @Path("my/settings/self-exclusion")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response selfExclude(@RestForm String confirm, @RestForm String months) {
        if (!"yes".equals(confirm)) {
            return Pages.page(422, settingsView(null, "Tick the box to confirm the self-exclusion."));
        }
        int period = months == null || months.isBlank() ? 6 : List.of("6", "12", "60").contains(months)
                ? Integer.parseInt(months) : 0;
        return RefusedForm.attempt(() -> accounts.selfExclude(user.accountId(), period), "/my/settings?saved=1",
                e -> settingsView(null, e.getMessage()));
    }

    private TemplateInstance walletView(String message, String error, Long before) {
        long id = user.accountId();
        List<Transaction> page = wallet.transactions(id, before, PAGE);
        Long older = page.size() == PAGE ? page.get(page.size() - 1).id() : null;
        return Templates.wallet(accounts.get(id), page, older, UUID.randomUUID().toString(), message, error);
    }

    private TemplateInstance settingsView(String message, String error) {
        long id = user.accountId();
        return Templates.settings(accounts.get(id), limits.view(id), message, error);
    }
}
