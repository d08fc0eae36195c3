package io.holdfast.web;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** What every part of the site shares: the refusal page, and a page answered with a status other than 200. */
final class Pages {

    private Pages() {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance forbidden(String role);
    }

    static String forbidden(String role) {
        return Templates.forbidden(role).render();
    }

    /** A page with its status: a form re-rendered with its error answers 4xx, never 200. */
    static Response page(int status, TemplateInstance page) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(page).build();
    }
}
