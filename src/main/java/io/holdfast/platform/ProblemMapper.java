package io.holdfast.platform;

import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * The one place where exceptions become HTTP answers: always problem+json, never a class name or a
 * stack trace. Database trouble (lost connection, failover, lock timeout) is a retriable 503.
 */
class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response.ResponseBuilder answer = build(e.status(), e.code(), e.getMessage());
        if (e.retryAfter() != null) {
            answer.header("Retry-After", Math.max(1, e.retryAfter().toSeconds()));
        }
        if (e.status() == 401) {
            answer.header("WWW-Authenticate", "Basic realm=\"holdfast\"");
        }
        return answer.build();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        String detail = e.getConstraintViolations().stream()
                .map(v -> field(v.getPropertyPath().toString()) + ": " + v.getMessage())
                .sorted()
                .collect(Collectors.joining("; "));
        return build(400, "VALIDATION_FAILED", detail).build();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        // a number out of range, or a token that is no JSON, is found by the parser: it knows the field it was in
        String field = null;
        if (e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser parser) {
            try {
                field = parser.currentName();
            } catch (java.io.IOException | RuntimeException ignored) {
                // no name to give
            }
        }
        return build(400, "VALIDATION_FAILED", field == null ? "The request body is not valid JSON for this endpoint"
                : "The value of '" + field + "' is not valid here (out of range, or not JSON)").build();
    }

    @ServerExceptionMapper
    public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        String field = e.getPath().stream().map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining()).replaceFirst("^\\.", "");
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException) {
            return build(400, "VALIDATION_FAILED", "Unknown field '" + field + "': this endpoint does not take it").build();
        }
        return build(400, "VALIDATION_FAILED", field.isEmpty() ? "The request body has the wrong shape"
                : "The value of '" + field + "' has the wrong type or is not one of the allowed values").build();
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return unauthenticated();
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ProblemException p) {
                return problem(p); // the login throttle's 429 RATE_LIMITED
            }
        }
        return unauthenticated();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return build(403, "FORBIDDEN", "This needs a role you do not have").build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        // the JSON reader wraps Jackson's refusal: answer with the field it names
        for (Throwable t = e.getCause(); status == 400 && t != null; t = t.getCause()) {
            if (t instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m) {
                return mismatched(m);
            }
            if (t instanceof JsonProcessingException j) {
                return unreadable(j);
            }
        }
        if (status >= 500) {
            return unexpected(e);
        }
        String code = switch (status) {
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 406 -> "NOT_ACCEPTABLE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            case 401 -> "UNAUTHORIZED";
            case 403 -> "FORBIDDEN";
            default -> "VALIDATION_FAILED";
        };
        String detail = status == 400 ? "The request is malformed" : Problem.of(status, code, "").title();
        return build(status, code, detail).build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProblemException p) {
                return problem(p);
            }
            if (TransientFailure.isTransient(t)) {
                LOG.warnf("Database unavailable while answering a request: %s", t.toString());
                return problem(ProblemException.unavailable("The database is not reachable right now; retry"));
            }
            if (t instanceof JsonProcessingException) {
                return unreadable((JsonProcessingException) t);
            }
        }
        LOG.error("Unexpected error answering a request", e);
        return build(500, "INTERNAL_ERROR", "Something went wrong on our side; it has been logged").build();
    }

    private static Response unauthenticated() {
        return build(401, "UNAUTHORIZED", "Missing or wrong credentials")
                .header("WWW-Authenticate", "Basic realm=\"holdfast\"").build();
    }

    private static Response.ResponseBuilder build(int status, String code, String detail) {
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(Problem.of(status, code, detail));
    }

    private static String field(String path) {
        int dot = path.indexOf('.');
        // "place.command.stake" -> "command.stake": the method name is no business of the client
        return dot >= 0 ? path.substring(dot + 1) : path;
    }
}
