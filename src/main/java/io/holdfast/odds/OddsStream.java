package io.holdfast.odds;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;

import io.holdfast.platform.ModuleApi;

/** Fans committed price and status changes out to every open odds stream. */
@ApplicationScoped
@ModuleApi
public class OddsStream {

    private final BroadcastProcessor<OddsUpdate> processor = BroadcastProcessor.create();

    void publish(OddsUpdate update) {
        processor.onNext(update);
    }

    public Multi<OddsUpdate> updates() {
        // a slow subscriber drops old updates rather than holding the publisher back
        return processor.onOverflow().drop();
    }
}
