package io.holdfast.odds;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.ext.web.Router;

/**
 * {@code GET /api/odds/stream}: every committed price or market-status change as a server-sent event whose data is
 * the {@link OddsUpdate} as JSON. A Vert.x route, not a JAX-RS method: {@link OddsStream} writes each change's bytes,
 * serialized once, to every open stream itself.
 */
@ApplicationScoped
class OddsStreamRoute {

    private final OddsStream stream;
    private final OddsStream.Format json;

    OddsStreamRoute(OddsStream stream, ObjectMapper mapper) {
        this.stream = stream;
        this.json = new OddsStream.Format() {
            @Override
            protected String snapshot(long revision) {
                return "event: snapshot\ndata: {\"reload\":true,\"lastEventId\":" + revision + "}";
            }

            @Override
            protected String event(OddsUpdate update) {
                try {
                    return "data: " + mapper.writeValueAsString(update);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    void install(@Observes Router router) {
        router.get("/api/odds/stream").handler(rc -> stream.open(rc, json));
    }
}
