package io.holdfast.platform;

import java.time.Duration;

/**
 * The one error type of Holdfast: every refusal a client can see is one of these, mapped to
 * problem+json by {@link ProblemMapper} with its stable {@code code}.
 */
@ModuleApi
public class ProblemException extends RuntimeException {

    private final int status;
    private final String code;
    private final Duration retryAfter;

    public ProblemException(int status, String code, String detail) {
        this(status, code, detail, null);
    }

    public ProblemException(int status, String code, String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "VALIDATION_FAILED", detail);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "NOT_FOUND", what + " not found");
    }

    public static ProblemException conflict(String code, String detail) {
        return new ProblemException(409, code, detail);
    }

    public static ProblemException unprocessable(String code, String detail) {
        return new ProblemException(422, code, detail);
    }

    public static ProblemException forbidden(String code, String detail) {
        return new ProblemException(403, code, detail);
    }

    /** A passive or fenced node refuses writes; the client retries, through the load balancer, elsewhere. */
    public static ProblemException notActive(String detail) {
        return new ProblemException(503, "NOT_ACTIVE", detail, Duration.ofSeconds(1));
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(503, "SERVICE_UNAVAILABLE", detail, Duration.ofSeconds(1));
    }
}
