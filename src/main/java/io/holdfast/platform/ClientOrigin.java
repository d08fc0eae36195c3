package io.holdfast.platform;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Where a request really came from. Behind HAProxy the peer is the load balancer: the client's address is the
 * last {@code X-Forwarded-For} entry (the one HAProxy's {@code option forwardfor} appended; anything before it
 * was written by the client) and the original scheme is {@code X-Forwarded-Proto}. Both headers count only
 * when the peer is a configured trusted proxy; from anyone else they are ignored, never believed.
 */
@ApplicationScoped
@ModuleApi
public class ClientOrigin {

    private final Set<String> trustedProxies;

    ClientOrigin(HoldfastConfig config) {
        this.trustedProxies = Set.copyOf(config.security().trustedProxies().orElse(List.of()));
    }

    public String address(RoutingContext ctx) {
        return address(ctx.request());
    }

    public String address(HttpServerRequest request) {
        String peer = peer(request);
        if (!trustedProxies.contains(peer)) {
            return peer;
        }
        List<String> forwarded = request.headers().getAll("X-Forwarded-For");
        if (forwarded.isEmpty()) {
            return peer;
        }
        String last = forwarded.get(forwarded.size() - 1);
        String client = last.substring(last.lastIndexOf(',') + 1).trim();
        return client.isEmpty() || client.length() > 64 ? peer : client.toLowerCase(Locale.ROOT);
    }

    /** True when the browser's connection was HTTPS: to this node, or to the trusted load balancer. */
    public boolean https(RoutingContext ctx) {
        return https(ctx.request());
    }

    public boolean https(HttpServerRequest request) {
        if (request.isSSL()) {
            return true;
        }
        if (!trustedProxies.contains(peer(request))) {
            return false;
        }
        List<String> proto = request.headers().getAll("X-Forwarded-Proto");
        return !proto.isEmpty() && "https".equalsIgnoreCase(proto.get(proto.size() - 1).trim());
    }

    private static String peer(HttpServerRequest request) {
        var remote = request.remoteAddress();
        return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    }
}
