package io.holdfast.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The CSRF filter refuses a page form without a valid token with a bare 400; a person gets a page that
 * says what happened instead of a blank one. The API's answers are left alone.
 */
public class RefusedForm {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance refused();
    }

    @ServerResponseFilter
    public void explain(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() == 400 && !response.hasEntity() && "POST".equals(request.getMethod())
                && !request.getUriInfo().getPath().startsWith("/api")) {
            response.setEntity(Templates.refused().render(), null, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"));
        }
    }
}
