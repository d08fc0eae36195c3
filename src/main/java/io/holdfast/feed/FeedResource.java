package io.holdfast.feed;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Ops: the feed's producers, their state, last alive, lag and last recovery (docs/API.md). */
@Path("/api/ops/feed")
@RolesAllowed("ops")
public class FeedResource {

    private final FeedStatusView view;

    FeedResource(FeedStatusView view) {
        this.view = view;
    }

    @GET
    public FeedStatusView.Feed feed() {
        return view.feed();
    }
}
