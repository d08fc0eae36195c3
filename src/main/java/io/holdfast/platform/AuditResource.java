package io.holdfast.platform;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

/** Back office: the audit log, newest first. */
@Path("/api/admin/audit")
@RolesAllowed("admin")
public class AuditResource {

    private final AuditLog audit;

    AuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @GET
    public List<AuditLog.Entry> recent(@QueryParam("limit") @DefaultValue("200") @Min(1) @Max(1000) int limit) {
        return audit.recent(limit);
    }
}
