package io.holdfast.platform;

import java.util.function.Function;

import org.infinispan.Cache;
import org.infinispan.commons.CacheException;
import org.infinispan.context.Flag;
import org.jboss.logging.Logger;

/**
 * A write to a synchronously replicated cache that a peer which has just died cannot turn into an error. Until
 * JGroups drops the dead member from the view (about a second after a kill), a synchronous write to it fails; a
 * login or a session check must not answer 500 for that, so the write is made on this node alone. What the peer
 * misses it reads from the database when it starts again (sessions) or never needs (a throttle's count).
 */
final class ReplicatedWrite {

    private static final Logger LOG = Logger.getLogger(ReplicatedWrite.class);

    private ReplicatedWrite() {
    }

    static <K, V, T> T orLocal(Cache<K, V> cache, Function<Cache<K, V>, T> write) {
        try {
            return write.apply(cache);
        } catch (CacheException e) {
            LOG.debugf("%s: the peer did not take a write (%s); written on this node alone", cache.getName(), e);
            return write.apply(cache.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL));
        }
    }
}
