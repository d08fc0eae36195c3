package io.holdfast.bench;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The back office's paths (events, markets, prices, account search and status, the audit log) timed one
 * request after another against the API, so two builds can be compared on the same machine. Opt-in:
 *
 *   flock /tmp/holdfast-it.lock mvn -B -ntp test -Dtest=BackOfficeBenchmark -Dgroups=benchmark
 */
@QuarkusTest
@Tag("benchmark")
class BackOfficeBenchmark {

    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");
    private static final int WARM_UP = 40;
    private static final int ROUNDS = Integer.getInteger("holdfast.bench.rounds", 300);

    @TestHTTPResource("/")
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, List<Long>> nanos = new LinkedHashMap<>();
    private String cookie;

    @Test
    void timeTheBackOfficePaths() throws Exception {
        cookie = login("admin", "admin");
        long bettor = id(call("POST", "/api/accounts", "{\"username\":\"bench_bo_" + System.nanoTime()
                + "\",\"password\":\"secret-bench\"}", null, 201));
        for (int round = 0; round < WARM_UP + ROUNDS; round++) {
            boolean timed = round >= WARM_UP;
            long event = id(timed("create event", "POST", "/api/admin/events",
                    "{\"name\":\"Bench " + round + "\",\"startsAt\":\"2030-01-01T18:00:00Z\"}", 201, timed));
            String market = timed("add market", "POST", "/api/admin/events/" + event + "/markets",
                    "{\"name\":\"Winner\",\"selections\":[{\"name\":\"Home\",\"odds\":2.10},{\"name\":\"Draw\","
                            + "\"odds\":3.40},{\"name\":\"Away\",\"odds\":3.20}]}", 201, timed);
            long marketId = id(market);
            Matcher selections = ID.matcher(market.substring(market.indexOf("\"selections\"")));
            selections.find();
            long selection = Long.parseLong(selections.group(1));
            timed("change odds", "PUT", "/api/admin/selections/" + selection + "/odds", "{\"odds\":2.2" + round % 10
                    + "}", 200, timed);
            timed("suspend market", "POST", "/api/admin/markets/" + marketId + "/suspend", "", 200, timed);
            timed("resume market", "POST", "/api/admin/markets/" + marketId + "/resume", "", 200, timed);
            timed("start event", "POST", "/api/admin/events/" + event + "/start", "", 200, timed);
            timed("search accounts", "GET", "/api/admin/accounts?q=bench_bo&limit=50", null, 200, timed);
            timed("account status", "POST", "/api/admin/accounts/" + bettor + "/status",
                    "{\"status\":\"" + (round % 2 == 0 ? "BLOCKED" : "ACTIVE") + "\"}", 200, timed);
            timed("read audit log", "GET", "/api/admin/audit?limit=200", null, 200, timed);
        }
        System.out.printf("%nBack office, %d rounds one request at a time (ms per request)%n", ROUNDS);
        System.out.printf("%-16s %8s %8s %8s %8s%n", "path", "mean", "p50", "p90", "p99");
        nanos.forEach((path, samples) -> {
            long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("%-16s %8.2f %8.2f %8.2f %8.2f%n", path, Arrays.stream(sorted).average().orElse(0) / 1e6,
                    at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99));
        });
    }

    private String timed(String path, String method, String uri, String body, int status, boolean timed)
            throws Exception {
        long start = System.nanoTime();
        String answer = call(method, uri, body, cookie, status);
        if (timed) {
            nanos.computeIfAbsent(path, p -> new ArrayList<>()).add(System.nanoTime() - start);
        }
        return answer;
    }

    private String call(String method, String uri, String body, String session, int status) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + uri))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(30));
        if (session != null) {
            request.header("Cookie", session);
        }
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != status) {
            throw new IllegalStateException(method + " " + uri + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer.body();
    }

    private String login(String username, String password) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "")
                + "/api/session")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        return answer.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    }

    private static long id(String json) {
        Matcher m = ID.matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no id in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    private static double at(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }
}
