package io.holdfast.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.filter.cookie.CookieFilter;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** The pages' guards without a browser: roles (403), CSRF refusal, HTML escaping, security headers. */
@QuarkusTest
class WebSecurityTest {

    private static final Pattern TOKEN = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

    /** A browser-like client: the session cookie from a login, the CSRF cookie and the token of a form. */
    static final class Session {
        final CookieFilter cookies = new CookieFilter();
        String token;

        Session(String username, String password) {
            given().filter(cookies).contentType(ContentType.JSON)
                    .body(Map.of("username", username, "password", password))
                    .post("/api/session").then().statusCode(200);
            refreshToken();
        }

        Session() {
            refreshToken();
        }

        void refreshToken() {
            String page = given().filter(cookies).redirects().follow(false).get("/login").then().statusCode(200)
                    .extract().asString();
            Matcher m = TOKEN.matcher(page);
            assertThat(m.find()).as("a CSRF token in the login form").isTrue();
            token = m.group(1);
        }

        RequestSpecification request() {
            return given().filter(cookies).redirects().follow(false);
        }

        Response form(String path, Map<String, ?> fields, boolean withToken) {
            RequestSpecification r = request().contentType(ContentType.URLENC).formParams(fields);
            if (withToken) {
                r = r.formParam("csrf-token", token);
            }
            return r.post(path);
        }
    }

    @Test
    void shouldRefuseBackOfficeAndOpsPagesToABettor() {
        Api.Bettor bettor = Api.bettor(1_000);
        Api.Market market = Api.market("2.00", "1.80");
        Session session = new Session(bettor.username(), bettor.password());
        for (String path : List.of("/back-office", "/back-office/accounts", "/back-office/audit",
                "/back-office/markets/" + market.id(), "/back-office/accounts/" + bettor.id(), "/ops",
                "/ops/switchover?target=node-b")) {
            session.request().get(path).then().statusCode(403);
        }
        session.form("/back-office/markets/" + market.id() + "/suspend", Map.of(), true).then().statusCode(403);
        session.form("/ops/switchover", Map.of("target", "node-b"), true).then().statusCode(403);
        Api.admin().get("/api/admin/markets/" + market.id()).then().body("status", org.hamcrest.Matchers.is("OPEN"));
        session.request().get("/my/bets").then().statusCode(200);

        Session admin = new Session("admin", "admin");
        admin.request().get("/ops").then().statusCode(403);
        admin.request().get("/my/wallet").then().statusCode(403);
        admin.request().get("/back-office").then().statusCode(200);
        Session ops = new Session("ops", "ops");
        ops.request().get("/back-office").then().statusCode(403);
        ops.request().get("/ops").then().statusCode(200);
    }

    @Test
    void shouldSendAnonymousVisitorsToTheLoginForm() {
        for (String path : List.of("/my/bets", "/back-office", "/ops")) {
            String location = given().redirects().follow(false).get(path).then().statusCode(303)
                    .extract().header("Location");
            assertThat(location).endsWith("/login?next=" + path.replace("/", "%2F"));
        }
        given().get("/").then().statusCode(200);
    }

    @Test
    void shouldEndTheSessionOnLogoutAndNeverRedirectOffSite() {
        Api.Bettor bettor = Api.bettor(0);
        Session session = new Session();
        String location = session.form("/login", Map.of("username", bettor.username(), "password", bettor.password(),
                "next", "//evil.example/steal"), true).then().statusCode(303).extract().header("Location");
        assertThat(java.net.URI.create(location).getHost()).isIn("localhost", "127.0.0.1");
        assertThat(java.net.URI.create(location).getPath()).isEqualTo("/");
        session.request().get("/my/bets").then().statusCode(200);
        session.form("/logout", Map.of(), true).then().statusCode(303);
        session.request().get("/my/bets").then().statusCode(303);

        String wrong = new Session().form("/login", Map.of("username", bettor.username(), "password", "wrong-password"),
                true).then().statusCode(401).extract().asString();
        assertThat(wrong).contains("Wrong username or password");
    }

    @Test
    void shouldRefuseFormsWithoutTheCsrfToken() {
        Api.Bettor bettor = Api.bettor(1_000);
        Session session = new Session(bettor.username(), bettor.password());
        Map<String, String> deposit = Map.of("amount", "25.00", "requestId", Api.unique("dep"));

        String refused = session.form("/my/wallet/deposit", deposit, false).then().statusCode(400)
                .extract().asString();
        assertThat(refused).contains("Form refused").contains("Nothing was changed");
        session.request().contentType(ContentType.URLENC).formParams(deposit).formParam("csrf-token", "forged-token")
                .post("/my/wallet/deposit").then().statusCode(400);
        Api.as(bettor).get("/api/me").then().body("balance", org.hamcrest.Matchers.is(1_000));
        // the JSON API is not a form: it needs no token (a session cookie is SameSite=Lax)
        Api.as(bettor).body(Map.of("requestId", Api.unique("dep"), "amount", 500)).post("/api/wallet/deposits")
                .then().statusCode(201);
        session.form("/my/wallet/deposit", deposit, true).then().statusCode(303);
        Api.as(bettor).get("/api/me").then().body("balance", org.hamcrest.Matchers.is(4_000));

        session.form("/my/settings/self-exclusion", Map.of("confirm", "yes"), false).then().statusCode(400);
        Api.as(bettor).get("/api/me").then().body("status", org.hamcrest.Matchers.is("ACTIVE"));

        Api.Market market = Api.market("2.00", "1.80");
        Session admin = new Session("admin", "admin");
        // a form without a body and without the token header: refused before the page (web.CsrfGuard)
        admin.form("/back-office/markets/" + market.id() + "/suspend", Map.of(), false).then().statusCode(403);
        Api.admin().get("/api/admin/markets/" + market.id()).then().body("status", org.hamcrest.Matchers.is("OPEN"));
        admin.form("/back-office/markets/" + market.id() + "/suspend", Map.of(), true).then().statusCode(303);
        Api.admin().get("/api/admin/markets/" + market.id()).then().body("status", org.hamcrest.Matchers.is("SUSPENDED"));

        String name = Api.unique("csrf").replace('-', '_');
        Session anonymous = new Session();
        anonymous.form("/signup", Map.of("username", name, "password", "password-1", "confirm", "password-1"), false)
                .then().statusCode(400);
        anonymous.form("/login", Map.of("username", bettor.username(), "password", bettor.password()), false)
                .then().statusCode(400);
        Api.admin().get("/api/admin/accounts?q=" + name).then().body("size()", org.hamcrest.Matchers.is(0));
    }

    @Test
    void shouldEscapeHtmlInUserSuppliedNamesOnEveryPage() {
        String evil = "<script>alert('x')</script><img src=x onerror=alert(1)>";
        long event = Api.admin().body(Map.of("name", "Event " + evil, "startsAt", "2030-01-01T18:00:00Z"))
                .post("/api/admin/events").then().statusCode(201).extract().jsonPath().getLong("id");
        var market = Api.admin().body(Map.of("name", "Market " + evil, "selections",
                List.of(Map.of("name", "Pick " + evil, "odds", 2.5), Map.of("name", "Other", "odds", 1.5))))
                .post("/api/admin/events/" + event + "/markets").then().statusCode(201).extract().jsonPath();
        long marketId = market.getLong("id");
        long selection = market.getLong("selections[0].id");
        Api.Bettor bettor = Api.bettor(10_000);
        Api.as(bettor).body(Api.single(Api.unique("bet"), 100, selection, "2.50", "NONE")).post("/api/bets")
                .then().statusCode(201);

        Session bettorSession = new Session(bettor.username(), bettor.password());
        Session admin = new Session("admin", "admin");
        Map<String, Session> pages = Map.of(
                "/", bettorSession,
                "/my/bets", bettorSession,
                "/events/" + event, bettorSession,
                "/back-office", admin,
                "/back-office/markets/" + marketId, admin,
                "/back-office/audit", admin);
        pages.forEach((path, session) -> {
            String html = session.request().get(path).then().statusCode(200).extract().asString();
            assertThat(html).as(path).doesNotContain("<script>alert").doesNotContain("<img src=x")
                    .contains("&lt;script&gt;alert(");
        });
        // the slip's outcome fragment names the legs too
        String outcome = bettorSession.form("/slip/place", Map.of("leg", selection + ":2.50", "stake", "1.00",
                "mode", "single", "policy", "ANY", "requestId", Api.unique("slip")), true)
                .then().statusCode(200).extract().asString();
        assertThat(outcome).contains("outcome accepted").doesNotContain("<script>alert").contains("&lt;script&gt;");
        // a form error echoes the input escaped
        String signup = new Session().form("/signup", Map.of("username", "<b>x</b>", "password", "p", "confirm", "p"),
                true).then().statusCode(422).extract().asString();
        assertThat(signup).doesNotContain("<b>x</b>").contains("&lt;b&gt;x&lt;/b&gt;");
    }

    @Test
    void shouldSendSecurityHeadersAndNoInlineScriptOrOutsideAsset() {
        Session ops = new Session("ops", "ops");
        Session admin = new Session("admin", "admin");
        long event = Api.market("2.00", "1.80").eventId();
        for (var page : List.of(Map.entry("/", new Session()), Map.entry("/events/" + event, new Session()),
                Map.entry("/login", new Session()),
                Map.entry("/ops", ops), Map.entry("/back-office", admin))) {
            Response r = page.getValue().request().get(page.getKey());
            r.then().statusCode(200);
            assertThat(r.header("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors 'none'")
                    .contains("default-src 'self'").doesNotContain("unsafe-inline");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("Referrer-Policy")).isEqualTo("same-origin");
            String html = r.asString();
            Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(html);
            while (scripts.find()) {
                assertThat(scripts.group(1)).as("script tag on " + page.getKey()).contains("src=\"/");
            }
            assertThat(html).as(page.getKey()).doesNotContain(" style=").doesNotContain(" onclick=")
                    .doesNotContainPattern("(src|href)=\"(https?:)?//");
        }
        given().get("/webjars/htmx.org/dist/htmx.min.js").then().statusCode(200);
        given().get("/webjars/htmx-ext-sse/sse.js").then().statusCode(200);
    }
}
