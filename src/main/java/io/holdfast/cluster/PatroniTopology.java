package io.holdfast.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.holdfast.platform.HoldfastConfig;

/**
 * The database's topology as Patroni sees it ({@code GET /cluster} on any member's REST API): who leads, which
 * standby is synchronous, how far behind each one is. Asked only when {@code holdfast.patroni.urls} is set.
 */
@ApplicationScoped
class PatroniTopology {

    private static final Logger LOG = Logger.getLogger(PatroniTopology.class);

    private final List<URI> members;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    PatroniTopology(HoldfastConfig config, ObjectMapper json) {
        this.members = config.patroni().urls().orElse(List.of()).stream().map(String::trim).filter(u -> !u.isEmpty())
                .map(u -> URI.create(u.endsWith("/") ? u + "cluster" : u + "/cluster")).toList();
        this.json = json;
    }

    boolean configured() {
        return !members.isEmpty();
    }

    /** Empty when no member answers (each one gets a short timeout: a dead host must not stall the ops page). */
    Optional<ClusterView.Database> read() {
        for (URI member : members) {
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(member).timeout(Duration.ofSeconds(1))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return Optional.of(parse(json.readTree(answer.body())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            } catch (Exception e) {
                LOG.debugf("Patroni member %s did not answer: %s", member, e.toString());
            }
        }
        return Optional.empty();
    }

    static ClusterView.Database parse(JsonNode cluster) {
        String primary = null;
        String primaryAddress = null;
        Long timeline = null;
        List<ClusterView.Standby> standbys = new ArrayList<>();
        for (JsonNode m : cluster.path("members")) {
            String role = m.path("role").asText();
            String address = m.hasNonNull("host") ? m.path("host").asText() + ":" + m.path("port").asText() : null;
            if (role.equals("leader") || role.equals("standby_leader")) {
                primary = m.path("name").asText();
                primaryAddress = address;
                timeline = m.hasNonNull("timeline") ? m.path("timeline").asLong() : null;
            } else {
                JsonNode lag = m.path("lag");
                standbys.add(new ClusterView.Standby(m.path("name").asText(), m.path("state").asText(null),
                        role.equals("sync_standby") ? "sync" : "async", lag.isNumber() ? lag.asLong() : null,
                        address));
            }
        }
        return new ClusterView.Database(primary, standbys, "patroni", primaryAddress, timeline);
    }
}
