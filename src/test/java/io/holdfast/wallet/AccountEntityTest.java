package io.holdfast.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.holdfast.support.Db;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/** The back office edits accounts as entities; money stays the ledger's, whatever an entity is told. */
@QuarkusTest
class AccountEntityTest {

    @Test
    void shouldNeverWriteMoneyThroughTheOrm() {
        Api.Bettor bettor = Api.bettor(5_000);

        QuarkusTransaction.requiringNew().run(() -> {
            Account account = Account.findById(bettor.id());
            account.balance = 1_000_000;
            account.stakedToday = 99;
            account.status = AccountStatus.BLOCKED;
        });

        // the status (a field the back office edits) was written, the money columns were not
        assertThat(Db.longValue("SELECT count(*) FROM account WHERE id = ? AND status = 'BLOCKED'", bettor.id()))
                .isEqualTo(1);
        assertThat(Db.storedBalance(bettor.id())).isEqualTo(5_000);
        assertThat(Db.ledgerSum(bettor.id())).isEqualTo(5_000);
        assertThat(Db.longValue("SELECT staked_today FROM account WHERE id = ?", bettor.id())).isZero();
    }

    @Test
    void shouldFindAccountsByAnyPartOfTheirNameInAnyCase() {
        Api.Bettor bettor = Api.bettor(0);
        // a part from the middle to the end, upper-cased: unique to this bettor, so a long suite's many accounts
        // (more than one page of answers) cannot push it out of the list
        String part = bettor.username().substring(3).toUpperCase();
        Api.admin().queryParam("q", part).get("/api/admin/accounts").then().statusCode(200)
                .body("username", org.hamcrest.Matchers.hasItem(bettor.username()))
                .body("find { it.username == '" + bettor.username() + "' }.balance", org.hamcrest.Matchers.equalTo(0));
        // a wildcard typed by an admin is a character to find, not a pattern
        Api.admin().queryParam("q", "%").get("/api/admin/accounts").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.equalTo(0));
    }
}
