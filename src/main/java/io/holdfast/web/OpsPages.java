package io.holdfast.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestForm;

import io.holdfast.cluster.ClusterState;
import io.holdfast.cluster.ClusterView;
import io.holdfast.cluster.ClusterStatus;
import io.holdfast.cluster.Switchover;
import io.holdfast.events.EventStream;
import io.holdfast.feed.FeedStatusView;
import io.holdfast.platform.AuditLog;
import io.holdfast.platform.CurrentUser;
import io.holdfast.platform.HoldfastConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** The ops console: the cluster at a glance, live over SSE, the recent role changes, and the flip. */
@Path("/ops")
@Produces(MediaType.TEXT_HTML)
public class OpsPages {

    private static final Logger LOG = Logger.getLogger(OpsPages.class);
    static final List<String> ROLE_CHANGES = List.of("ROLE_ACTIVE", "ROLE_PASSIVE", "SWITCHOVER");

    /** What the console shows; {@code error} when the database could not be read just now. */
    public record Glance(ClusterView cluster, List<AuditLog.Entry> changes, String servedBy, boolean servedByActive,
            String error, EventStream.Publishing events, FeedStatusView.Feed feed, OpsTimeline.Chart timeline) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance console(Glance glance, String message, String error);

        static native TemplateInstance console$glance(Glance glance);

        static native TemplateInstance confirm(Glance glance, String target);
    }

    private final ClusterStatus status;
    private final ClusterState state;
    private final Switchover switchover;
    private final AuditLog audit;
    private final CurrentUser user;
    private final String me;
    private final EventStream events;
    private final FeedStatusView feed;
    private final OpsTimeline timeline;

    OpsPages(ClusterStatus status, ClusterState state, Switchover switchover, AuditLog audit, CurrentUser user,
            HoldfastConfig config, EventStream events, FeedStatusView feed, OpsTimeline timeline) {
        this.events = events;
        this.feed = feed;
        this.timeline = timeline;
        this.status = status;
        this.state = state;
        this.switchover = switchover;
        this.audit = audit;
        this.user = user;
        this.me = config.node().name();
    }

    @GET
    public TemplateInstance console(@QueryParam("flipped") String flipped) {
        return Templates.console(glance(), flipped == null ? null : "Switchover done: " + flipped + " is active.", null);
    }

    /** The glance panel every second, as server-sent events named {@code cluster}. */
    @GET
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> stream(@Context Sse sse) {
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(Duration.ofSeconds(1))
                .onOverflow().drop()
                // the glance reads the database (the audit log through Hibernate): never on an IO thread
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> sse.newEventBuilder().name("cluster")
                        .data(String.class, Templates.console$glance(glance()).render().replace('\n', ' ')).build());
    }

    @GET
    @Path("switchover")
    public TemplateInstance confirm(@QueryParam("target") String target) {
        return Templates.confirm(glance(), target == null ? "" : target);
    }

    @POST
    @Path("switchover")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response flip(@RestForm String target) {
        if (target == null || target.isBlank()) {
            return Pages.page(422, Templates.console(glance(), null, "Choose the node to make active."));
        }
        // a refused flip answers 409, never 503: HAProxy re-sends a 503 to the other node (retry-on 503, redispatch)
        return RefusedForm.attempt(
                () -> "/ops?flipped=" + URLEncoder.encode(switchover.run(user.name(), target.trim()).active(),
                        StandardCharsets.UTF_8),
                e -> Templates.console(glance(), null, "Switchover refused (" + e.code() + "): " + e.getMessage()),
                status -> status >= 500 ? 409 : status);
    }

    /** The last five minutes as this node saw them. */
    private OpsTimeline.Chart chart() {
        return timeline.chart(300, 900, 160);
    }

    private Glance glance() {
        try {
            return new Glance(status.snapshot(), audit.recent(15, ROLE_CHANGES), me, state.isActive(), null,
                    events.publishing(), feed.feed(), chart());
        } catch (RuntimeException e) {
            LOG.debugf("Cluster glance failed: %s", e.getMessage());
            return new Glance(null, List.of(), me, state.isActive(), "The database is not reachable from " + me + " right now",
                    events.publishing(), null, chart());
        }
    }
}
