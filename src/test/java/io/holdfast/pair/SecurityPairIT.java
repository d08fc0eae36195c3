package io.holdfast.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Security state that lives in replicated caches, on two real processes: a single-node @QuarkusTest never
 * marshals and never replicates. Node logs: target/pair/node-a.log, target/pair/node-b.log.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SecurityPairIT {

    static Pair pair;

    @BeforeAll
    static void startPair() throws Exception {
        // a first delay far longer than any request takes here, however busy the machine
        pair = new Pair("-Dholdfast.security.throttle-delay=30s").start();
    }

    @AfterAll
    static void stopPair() {
        if (pair != null) {
            pair.close();
        }
    }

    @BeforeEach
    void bothNodesUp() throws Exception {
        pair.ensureBoth();
    }

    @Test
    void wrongPasswordsAreAnswered401OnBothNodesAndCountOnceAcrossThePair() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        String username = "throttle_" + System.nanoTime() % 1_000_000;
        String password = "secret-" + username;
        assertThat(active.send("POST", "/api/accounts", "{\"username\":\"" + username + "\",\"password\":\"" + password
                + "\"}", null, Duration.ofSeconds(10)).statusCode()).isEqualTo(201);

        // alternate nodes: the attempts of both land in the one replicated throttle. Each claims another client
        // address: a node that trusts no proxy must not believe it.
        for (int i = 0; i < 5; i++) {
            Pair.Node node = i % 2 == 0 ? active : passive;
            HttpResponse<String> r = login(node, username, "wrong-" + i, "203.0.113." + i);
            assertThat(r.statusCode()).as("wrong password %d on %s: %s", i, node.name(), r.body()).isEqualTo(401);
        }
        HttpResponse<String> basic = Pair.HTTP.send(HttpRequest.newBuilder(URI.create(passive.url() + "/api/me"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder()
                        .encodeToString((username + ":" + password).getBytes()))
                .header("X-Forwarded-For", "203.0.113.99").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(basic.statusCode()).as("the right password, too soon after five wrong ones: " + basic.body())
                .isEqualTo(429);
        assertThat(basic.headers().firstValue("Retry-After")).isPresent();
        assertThat(basic.body()).contains("RATE_LIMITED");

        // the bug this guards against: the throttle's update could not be marshalled to the other node (ISPN000136
        // wrapping a MarshallingException). A replication timeout is not that bug: ReplicatedWrite answers it.
        assertThat(pair.log(active.name()) + pair.log(passive.name())).doesNotContain("MarshallingException");
    }

    static HttpResponse<String> login(Pair.Node node, String username, String password, String forwardedFor)
            throws Exception {
        return Pair.HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/api/session"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", forwardedFor)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username + "\",\"password\":\""
                        + password + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSessionWorksOnBothNodesAndLogoutEndsItOnBoth() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        String cookie = BetTraffic.bettors(active, "sessions", 1).get(0).cookie();
        assertThat(passive.send("GET", "/api/me", null, cookie, Duration.ofSeconds(5)).statusCode())
                .as("the cookie on the other node").isEqualTo(200);

        assertThat(active.send("DELETE", "/api/session", null, cookie, Duration.ofSeconds(5)).statusCode()).isEqualTo(204);
        for (Pair.Node n : pair.nodes()) {
            assertThat(n.send("GET", "/api/me", null, cookie, Duration.ofSeconds(5)).statusCode())
                    .as("the cookie replayed after logout on " + n.name()).isEqualTo(401);
        }
    }

    @Test
    void aMemberWithoutTheClusterSecretNeverJoinsAndItsPriceNeverReachesABet() throws Exception {
        Pair.Node active = pair.active();
        Pair.Node passive = pair.other(active);
        BetTraffic.Market market = BetTraffic.market(active, "Stranger match");
        String cookie = BetTraffic.bettors(active, "stranger", 1).get(0).cookie();

        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String members = pair.nodes().stream().map(n -> "127.0.0.1[" + n.jgroupsPort + "]")
                .reduce((x, y) -> x + "," + y).orElseThrow() + ",127.0.0.1[" + port + "]";
        System.setProperty("hf.jgroups.bind_addr", "127.0.0.1");
        System.setProperty("hf.jgroups.bind_port", Integer.toString(port));
        System.setProperty("hf.jgroups.initial_hosts", members);
        io.holdfast.platform.ClusterKeys.install("a-guess-that-is-not-the-cluster-secret");
        var global = org.infinispan.configuration.global.GlobalConfigurationBuilder.defaultClusteredBuilder();
        global.transport().clusterName("holdfast").nodeName("stranger").addProperty("configurationFile",
                "jgroups-holdfast-tcp.xml");
        global.serialization().marshaller(new org.infinispan.commons.marshall.JavaSerializationMarshaller())
                .allowList().addRegexps("io\\.holdfast\\..*", "java\\..*");
        global.jmx().disable();
        var cache = new org.infinispan.configuration.cache.ConfigurationBuilder();
        cache.clustering().cacheMode(org.infinispan.configuration.cache.CacheMode.REPL_SYNC).remoteTimeout(1000);
        cache.encoding().mediaType("application/x-java-object");
        try (var stranger = new org.infinispan.manager.DefaultCacheManager(global.build(), false)) {
            stranger.defineConfiguration(io.holdfast.platform.Caches.ODDS_BOOK, cache.build());
            stranger.start();
            Thread.sleep(8_000); // JGroups' join timeout, MERGE3's intervals: time enough to be let in, if it could be
            assertThat(stranger.getMembers()).as("the stranger's view").hasSize(1);
            try {
                stranger.getCache(io.holdfast.platform.Caches.ODDS_BOOK).put(market.home(), new io.holdfast.odds.Quote(
                        market.home(), market.marketId(), market.eventId(), new java.math.BigDecimal("1000.00"), 99,
                        io.holdfast.odds.MarketStatus.OPEN, io.holdfast.odds.EventStatus.SCHEDULED));
            } catch (RuntimeException refused) {
                // as good: the write went nowhere
            }
        }
        for (Pair.Node n : pair.nodes()) {
            String cluster = n.asOps("GET", "/api/ops/cluster", null);
            assertThat(cluster).as("the view of " + n.name()).doesNotContain("stranger");
            String odds = n.send("GET", "/api/odds/" + market.home(), null, null, Duration.ofSeconds(5)).body();
            assertThat(odds).as("the price on " + n.name()).contains("\"odds\":2.0").doesNotContain("1000");
        }
        HttpResponse<String> bet = active.send("POST", "/api/bets", "{\"requestId\":\"stranger-1\",\"stake\":100,"
                + "\"legs\":[{\"selectionId\":" + market.home() + ",\"odds\":2.00}],\"oddsChange\":\"NONE\"}",
                cookie, Duration.ofSeconds(10));
        assertThat(bet.statusCode()).as(bet.body()).isEqualTo(201);
        assertThat(bet.body()).contains("\"odds\":2.0");
        assertThat(passive.ready()).isFalse();
    }
}
