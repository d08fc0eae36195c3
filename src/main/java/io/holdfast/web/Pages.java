package io.holdfast.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** Pages every part shares: the refusal page. */
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
}
