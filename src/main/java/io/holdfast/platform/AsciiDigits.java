package io.holdfast.platform;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Ids and numbers in a path or a query are ASCII digits only: Java's number parsing reads "١٢٣" (Arabic-Indic) or
 * full-width digits as 123, so {@code /api/bets/١٢٣} would be bet 123. Such a request is a 400, before any endpoint.
 */
class AsciiDigits {

    @ServerRequestFilter(preMatching = true)
    public void refuse(ContainerRequestContext request) {
        String target = request.getUriInfo().getRequestUri().getPath() + "?" + request.getUriInfo().getRequestUri().getQuery();
        if (hasNonAsciiDigit(target)) {
            throw ProblemException.badRequest("Numbers in the path and the query are ASCII digits 0-9 only");
        }
    }

    static boolean hasNonAsciiDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 127 && Character.isDigit(c)) {
                return true;
            }
        }
        return false;
    }
}
