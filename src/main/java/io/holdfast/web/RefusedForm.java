package io.holdfast.web;

import java.net.URI;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.holdfast.platform.ProblemException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * A refused form shows the person why, never a blank page. {@link #attempt} is every page form's "try the
 * action, then the next page or the form again with the refusal"; the filter does the same for the CSRF
 * filter's bare 400, and leaves the API's answers alone.
 */
public class RefusedForm {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance refused();
    }

    /**
     * Runs a form's action: done, the browser is sent on to {@code then} (303, so a reload doesn't post
     * again); refused, the form is shown again with the refusal, answered with the refusal's status.
     */
    static Response attempt(Runnable action, String then, Function<ProblemException, TemplateInstance> form) {
        return attempt(() -> {
            action.run();
            return then;
        }, form, IntUnaryOperator.identity());
    }

    /** As above, where the next page depends on the action's result and the refusal's status is chosen by the page. */
    static Response attempt(Supplier<String> action, Function<ProblemException, TemplateInstance> form,
            IntUnaryOperator status) {
        String next;
        try {
            next = action.get();
        } catch (ProblemException e) {
            return Pages.page(status.applyAsInt(e.status()), form.apply(e));
        }
        return Response.seeOther(URI.create(next)).build();
    }

    @ServerResponseFilter
    public void explain(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() == 400 && !response.hasEntity() && "POST".equals(request.getMethod())
                && !request.getUriInfo().getPath().startsWith("/api")) {
            response.setEntity(Templates.refused().render(), null, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"));
        }
    }
}
