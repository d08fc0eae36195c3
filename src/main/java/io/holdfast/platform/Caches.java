package io.holdfast.platform;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.infinispan.commons.marshall.JavaSerializationMarshaller;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.partitionhandling.PartitionHandling;
import org.jboss.logging.Logger;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The embedded, JGroups-clustered Infinispan of every node. Caches hold derived state only
 * (docs/ARCHITECTURE.md §2): replicated, writable on both sides of a partition (the PostgreSQL lease decides
 * who writes the truth), rebuilt from the database on any doubt.
 */
@ApplicationScoped
@ModuleApi
public class Caches {

    public static final String ODDS_BOOK = "odds-book";
    public static final String NODES = "cluster-nodes";
    public static final String THROTTLES = "login-throttles";
    public static final String PENDING_BETS = "pending-bets";
    public static final String SESSIONS = "login-sessions";

    private static final Logger LOG = Logger.getLogger(Caches.class);

    @ConfigMapping(prefix = "holdfast.cluster")
    public interface ClusterConfig {
        /** JGroups stack file on the classpath: TCP with a static member list, or JDBC_PING2. */
        @WithDefault("jgroups-holdfast-tcp.xml")
        String stack();

        @WithDefault("127.0.0.1")
        String bindAddress();

        @WithDefault("7800")
        int bindPort();

        /** TCPPING's static member list, e.g. {@code 127.0.0.1[7800],127.0.0.1[7801]}. */
        @WithDefault("127.0.0.1[7800],127.0.0.1[7801]")
        String members();

        /** DNS_PING's query (jgroups-holdfast-kubernetes.xml): the headless Service listing every pod, ready or not. */
        Optional<String> dnsQuery();

        /** How long a replicated write waits for the other node before giving up (it never blocks bets). */
        @WithDefault("1s")
        Duration remoteTimeout();

        /** The shared secret a member must know to join the JGroups channel (AUTH). */
        String secret();
    }

    @Produces
    @Singleton
    EmbeddedCacheManager cacheManager(HoldfastConfig config, ClusterConfig cluster) {
        // JGroups reads its stack's ${...} from system properties
        System.setProperty("hf.jgroups.bind_addr", cluster.bindAddress());
        System.setProperty("hf.jgroups.bind_port", Integer.toString(cluster.bindPort()));
        System.setProperty("hf.jgroups.initial_hosts", cluster.members());
        cluster.dnsQuery().ifPresent(query -> System.setProperty("hf.jgroups.dns_query", query));
        var datasource = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        System.setProperty("hf.jgroups.jdbc_url", config.db().url());
        System.setProperty("hf.jgroups.jdbc_user", datasource.getValue("quarkus.datasource.username", String.class));
        System.setProperty("hf.jgroups.jdbc_password",
                datasource.getValue("quarkus.datasource.password", String.class));
        ClusterKeys.install(cluster.secret());

        GlobalConfigurationBuilder global = GlobalConfigurationBuilder.defaultClusteredBuilder();
        global.transport().clusterName("holdfast").nodeName(config.node().name())
                .addProperty("configurationFile", cluster.stack());
        global.serialization().marshaller(new JavaSerializationMarshaller())
                .allowList().addRegexps("io\\.holdfast\\..*", "java\\..*");
        global.jmx().disable();

        DefaultCacheManager manager = new DefaultCacheManager(global.build(), false);
        manager.defineConfiguration(ODDS_BOOK, replicated(cluster, CacheMode.REPL_SYNC).build());
        manager.defineConfiguration(NODES, replicated(cluster, CacheMode.REPL_SYNC).build());
        // synchronous: the throttle's compare-and-set must see the other node's attempts (LoginThrottle)
        ConfigurationBuilder throttles = replicated(cluster, CacheMode.REPL_SYNC);
        // bounded under a spray of random usernames; each entry carries its own lifespan
        throttles.memory().maxCount(100_000);
        manager.defineConfiguration(THROTTLES, throttles.build());
        manager.defineConfiguration(PENDING_BETS, replicated(cluster, CacheMode.REPL_ASYNC).build());
        // synchronous: a logout has reached both nodes before it answers (Sessions); each entry has its own lifespan
        ConfigurationBuilder sessions = replicated(cluster, CacheMode.REPL_SYNC);
        sessions.memory().maxCount(500_000);
        manager.defineConfiguration(SESSIONS, sessions.build());
        manager.start();
        // every cache runs on every node from the start: a replicated cache only reaches nodes where it runs
        manager.startCaches(ODDS_BOOK, NODES, THROTTLES, PENDING_BETS, SESSIONS);
        LOG.infof("Infinispan started as %s in cluster view %s", config.node().name(), manager.getMembers());
        return manager;
    }

    void stop(@Disposes EmbeddedCacheManager manager) {
        manager.stop();
    }

    private static ConfigurationBuilder replicated(ClusterConfig cluster, CacheMode mode) {
        ConfigurationBuilder b = new ConfigurationBuilder();
        b.clustering().cacheMode(mode).remoteTimeout(cluster.remoteTimeout().toMillis())
                .partitionHandling().whenSplit(PartitionHandling.ALLOW_READ_WRITES)
                .stateTransfer().timeout(30_000);
        b.encoding().mediaType("application/x-java-object");
        return b;
    }
}
