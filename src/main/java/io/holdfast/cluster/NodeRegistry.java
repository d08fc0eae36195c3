package io.holdfast.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.infinispan.Cache;
import org.infinispan.context.Flag;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.jboss.logging.Logger;

import io.holdfast.platform.Caches;
import io.holdfast.platform.HoldfastConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Who is in the cluster and in which role: each node publishes its own entry in the replicated
 * {@code cluster-nodes} cache (on every role change and every second), and the JGroups view says who is
 * reachable. A view that lost a member, or a peer turning PASSIVE, prompts the lease keeper to look now.
 */
@ApplicationScoped
@Listener(sync = false)
class NodeRegistry {

    private static final Logger LOG = Logger.getLogger(NodeRegistry.class);

    /** One node's own report of itself. */
    public record NodeInfo(String name, NodeRole role, long epoch, String address) implements Serializable {
    }

    /** A node as the ops console shows it: its report, and whether this node can reach it now. */
    public record Member(String name, NodeRole role, long epoch, String address, boolean reachable, boolean self) {
    }

    private final EmbeddedCacheManager caches;
    private final ClusterState state;
    private final LeaseKeeper lease;
    private final String me;
    private final String address;
    /** A peer not heard from for this long is shown unreachable, whatever the JGroups view says (a frozen node stays
     * in the view until FD_ALL3 gives up on it, seconds later). Peers publish every second. */
    private static final long SILENT_PEER_MILLIS = 2_500;

    /** System.nanoTime at which each peer's last report arrived here. */
    private final java.util.Map<String, Long> heardAt = new java.util.concurrent.ConcurrentHashMap<>();
    private Cache<String, NodeInfo> nodes;
    private ScheduledExecutorService heartbeat;

    NodeRegistry(EmbeddedCacheManager caches, ClusterState state, LeaseKeeper lease, HoldfastConfig config,
            @ConfigProperty(name = "quarkus.http.port") int httpPort,
            @ConfigProperty(name = "quarkus.http.host") String httpHost) {
        this.caches = caches;
        this.state = state;
        this.lease = lease;
        this.me = config.node().name();
        this.address = httpHost + ":" + httpPort;
    }

    void start(@Observes StartupEvent ignored) {
        nodes = caches.getCache(Caches.NODES);
        nodes.addListener(this);
        caches.addListener(new ViewListener());
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-registry");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::publish, 0, 1, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
    }

    void onRoleChange(@Observes RoleChanged change) {
        // On the registry's own thread: the event comes from the lease thread, and a synchronous put to a peer
        // that just died waits for the remote timeout (longer than the lease ttl) or the next view.
        ScheduledExecutorService h = heartbeat;
        if (h != null && !h.isShutdown()) {
            h.execute(this::publish);
        }
    }

    /** Every node this one knows of, sorted by name. */
    public List<Member> members() {
        Set<String> reachable = view();
        TreeMap<String, Member> all = new TreeMap<>();
        if (nodes != null) {
            // this node's own copy (the cache is replicated): a cluster-wide read would wait for a dead peer
            for (NodeInfo n : nodes.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).values()) {
                all.put(n.name(), new Member(n.name(), n.role(), n.epoch(), n.address(),
                        reachable.contains(n.name()) && heardRecently(n.name()), n.name().equals(me)));
            }
        }
        ClusterState.Snapshot s = state.snapshot();
        all.put(me, new Member(me, s.role(), s.epoch(), address, true, true));
        return new ArrayList<>(all.values());
    }

    private boolean heardRecently(String peer) {
        Long at = heardAt.get(peer);
        return peer.equals(me) || (at != null && System.nanoTime() - at < SILENT_PEER_MILLIS * 1_000_000);
    }

    /** The names of the members of the current JGroups view. */
    public Set<String> view() {
        return caches.getMembers() == null ? Set.of(me)
                : caches.getMembers().stream().map(Object::toString).collect(Collectors.toSet());
    }

    private void publish() {
        try {
            ClusterState.Snapshot s = state.snapshot();
            nodes.put(me, new NodeInfo(me, s.role(), s.epoch(), address));
        } catch (RuntimeException e) {
            LOG.debugf("Node registry publish failed: %s", e.getMessage());
        }
    }

    @CacheEntryCreated
    @CacheEntryModified
    public void peerChanged(CacheEntryEvent<String, NodeInfo> event) {
        if (!event.isOriginLocal() && !event.isPre()) {
            heardAt.put(event.getKey(), System.nanoTime());
        }
        if (!event.isOriginLocal() && !event.isPre() && event.getValue() != null
                && event.getValue().role() == NodeRole.PASSIVE && !state.isActive()) {
            lease.lookNow(); // a peer stepped down (a switchover?): the lease may be ours now
        }
    }

    @Listener(sync = false)
    public class ViewListener {
        @ViewChanged
        @Merged
        public void viewChanged(ViewChangedEvent event) {
            LOG.infof("Cluster view %s (was %s)", event.getNewMembers(), event.getOldMembers());
            boolean lost = !event.getNewMembers().containsAll(event.getOldMembers());
            if (lost && !state.isActive()) {
                lease.lookNow(); // the active may be gone: start watching its lease now
            }
            publish();
        }
    }
}
