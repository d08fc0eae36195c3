package io.holdfast.web;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * CSRF for every state-changing page request, with or without a body. Quarkus' CSRF filter checks the token of a
 * form body; a page POST that carries no form (no body, or another content type) would pass it unchecked and rest
 * on SameSite alone. Such a request must send the token in the {@code X-CSRF-Token} header, equal to the CSRF
 * cookie (double submit; Quarkus' filter checks the header too), or it is refused with 403 before any page code
 * runs. The API ({@code /api/...}) is not
 * a page: it takes JSON with Basic or the session cookie, which SameSite=Lax keeps off cross-site requests.
 */
public class CsrfGuard {

    static final String HEADER = "X-CSRF-Token";
    static final String COOKIE = "holdfast-csrf";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @ServerRequestFilter(preMatching = true)
    public Response refuse(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (SAFE.contains(request.getMethod()) || path.startsWith("/api/") || path.startsWith("/q/")) {
            return null;
        }
        MediaType type = request.getMediaType();
        if (type != null && request.getLength() > 0 && (type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)
                || type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE))) {
            return null; // a form with a body: Quarkus' CSRF filter checks its token field
        }
        Cookie cookie = request.getCookies().get(COOKIE);
        String header = request.getHeaderString(HEADER);
        if (cookie != null && header != null && !cookie.getValue().isEmpty() && MessageDigest.isEqual(
                cookie.getValue().getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return Response.status(403).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(RefusedForm.Templates.refused().render()).build();
    }
}
