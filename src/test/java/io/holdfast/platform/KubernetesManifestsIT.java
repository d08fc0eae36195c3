package io.holdfast.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The manifests the build generates (target/kubernetes/kubernetes.yml, from application.properties and
 * src/main/kubernetes/kubernetes.yml) read into the fabric8 Kubernetes model and checked against what the pair needs:
 * no cluster runs here, so this is what stands between a wrong manifest and a broken deployment (docs/kubernetes.md).
 */
class KubernetesManifestsIT {

    static final Path MANIFEST = Path.of("target/kubernetes/kubernetes.yml");
    static List<HasMetadata> resources;
    static StatefulSet set;
    static Container app;
    static Map<String, String> podLabels;

    @BeforeAll
    static void read() throws Exception {
        assertThat(MANIFEST).as("mvn package generates it").exists();
        KubernetesSerialization serialization = new KubernetesSerialization();
        resources = new ArrayList<>();
        for (String doc : Files.readString(MANIFEST).split("(?m)^---\\s*$")) {
            if (!doc.isBlank()) {
                Object parsed = serialization.unmarshal(doc);
                assertThat(parsed).as("a typed Kubernetes resource:\n%s", doc).isInstanceOf(HasMetadata.class);
                resources.add((HasMetadata) parsed);
            }
        }
        set = one(StatefulSet.class, "holdfast");
        app = set.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("holdfast")).findFirst().orElseThrow();
        podLabels = set.getSpec().getTemplate().getMetadata().getLabels();
    }

    static <T extends HasMetadata> T one(Class<T> kind, String name) {
        List<T> found = resources.stream().filter(kind::isInstance).map(kind::cast)
                .filter(r -> r.getMetadata().getName().equals(name)).toList();
        assertThat(found).as("%s %s in %s", kind.getSimpleName(), name, MANIFEST).hasSize(1);
        return found.get(0);
    }

    static Optional<EnvVar> env(String name) {
        return app.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst();
    }

    static String envValue(String name) {
        return env(name).map(EnvVar::getValue).orElseThrow(() -> new AssertionError(name + " is not set"));
    }

    static int containerPort(String name) {
        return app.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError("no container port " + name));
    }

    /** A probe's port as a number, whether the manifest names the port or gives its number. */
    static int probePort(Probe probe) {
        IntOrString port = probe.getHttpGet().getPort();
        return port.getIntVal() != null ? port.getIntVal() : containerPort(port.getStrVal());
    }

    static boolean selects(Map<String, String> selector) {
        return selector != null && !selector.isEmpty() && podLabels.entrySet().containsAll(selector.entrySet());
    }

    @Test
    void aStatefulSetOfTwoFromTheDockerImage() {
        assertThat(set.getSpec().getReplicas()).isEqualTo(2);
        assertThat(set.getSpec().getServiceName()).isEqualTo("holdfast-cluster");
        assertThat(set.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
        // the second pod starts only once the first is ready (ACTIVE): one node migrates the schema
        assertThat(Optional.ofNullable(set.getSpec().getPodManagementPolicy()).orElse("OrderedReady"))
                .isEqualTo("OrderedReady");
        assertThat(app.getImage()).isEqualTo("holdfast:latest");
        assertThat(env("HOLDFAST_NODE_NAME").orElseThrow().getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.name");
        assertThat(selects(set.getSpec().getSelector().getMatchLabels())).isTrue();
    }

    @Test
    void probesAskTheAppsHealthOnItsHttpPort() {
        int http = containerPort("http");
        assertThat(app.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(app.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(app.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
        for (Probe probe : List.of(app.getReadinessProbe(), app.getLivenessProbe(), app.getStartupProbe())) {
            assertThat(probePort(probe)).isEqualTo(http);
        }
        // the app is ready only while it is ACTIVE: the readiness probe must notice a flip within seconds
        assertThat(app.getReadinessProbe().getPeriodSeconds()).isLessThanOrEqualTo(2);
        assertThat(app.getStartupProbe().getPeriodSeconds() * app.getStartupProbe().getFailureThreshold())
                .as("seconds a starting JVM gets before liveness counts").isGreaterThanOrEqualTo(60);
    }

    @Test
    void portsMatchTheAppsConfiguration() {
        // application.properties: quarkus.http.port=${HOLDFAST_HTTP_PORT:…}, holdfast.cluster.bind-port=${HOLDFAST_JGROUPS_PORT:…}
        assertThat(Integer.parseInt(envValue("HOLDFAST_HTTP_PORT"))).isEqualTo(containerPort("http"));
        assertThat(Integer.parseInt(envValue("HOLDFAST_JGROUPS_PORT"))).isEqualTo(containerPort("jgroups"));
        assertThat(envValue("QUARKUS_HTTP_HOST")).isEqualTo("0.0.0.0");
        Service web = one(Service.class, "holdfast");
        assertThat(selects(web.getSpec().getSelector())).isTrue();
        ServicePort port = web.getSpec().getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow();
        IntOrString target = port.getTargetPort();
        assertThat(target.getIntVal() != null ? target.getIntVal() : containerPort(target.getStrVal()))
                .isEqualTo(containerPort("http"));
    }

    @Test
    void jgroupsFindsEveryPodThroughAHeadlessServiceThatListsThePassiveToo() {
        Service cluster = one(Service.class, "holdfast-cluster");
        assertThat(cluster.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(cluster.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(selects(cluster.getSpec().getSelector())).isTrue();
        assertThat(cluster.getSpec().getPorts()).extracting(ServicePort::getPort).contains(containerPort("jgroups"));
        assertThat(envValue("HOLDFAST_JGROUPS_STACK")).isEqualTo("jgroups-holdfast-kubernetes.xml");
        assertThat(getClass().getClassLoader().getResource("jgroups-holdfast-kubernetes.xml")).isNotNull();
        assertThat(envValue("HOLDFAST_JGROUPS_DNS_QUERY")).startsWith("holdfast-cluster");
        assertThat(env("HOLDFAST_JGROUPS_BIND_ADDRESS").orElseThrow().getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("status.podIP");
    }

    @Test
    void aDisruptionBudgetAndAntiAffinityKeepOnePodUp() {
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class, "holdfast");
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
        assertThat(selects(pdb.getSpec().getSelector().getMatchLabels())).isTrue();

        var anti = set.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();
        List<PodAffinityTerm> required = anti.getRequiredDuringSchedulingIgnoredDuringExecution();
        assertThat(required).extracting(PodAffinityTerm::getTopologyKey).contains("kubernetes.io/hostname");
        assertThat(anti.getPreferredDuringSchedulingIgnoredDuringExecution())
                .extracting(w -> w.getPodAffinityTerm().getTopologyKey()).contains("topology.kubernetes.io/zone");
        for (PodAffinityTerm term : required) {
            assertThat(selects(term.getLabelSelector().getMatchLabels())).isTrue();
        }
    }

    @Test
    void everySecretTheAppRequiresComesFromTheSecret() {
        Map<String, String> fromSecret = app.getEnv().stream()
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .filter(e -> e.getValueFrom().getSecretKeyRef().getName().equals("holdfast-secrets"))
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom().getSecretKeyRef().getKey()));
        for (ProductionSecrets.Secret secret : ProductionSecrets.SECRETS) {
            assertThat(fromSecret).as("%s from the Secret holdfast-secrets", secret.variable()).containsKey(secret.variable());
            assertThat(env(secret.variable()).orElseThrow().getValue()).as("no literal value").isNull();
        }
    }

    @Test
    void thePodsMigrateTheSchemaThemselvesAfterTheSecretsCheck() {
        // a generated Flyway Job would set QUARKUS_FLYWAY_ACTIVE=false in the pods: ProductionSecrets could not migrate
        assertThat(env("QUARKUS_FLYWAY_ACTIVE")).isEmpty();
        assertThat(resources).noneMatch(r -> r.getKind().equals("Job"));
        assertThat(set.getSpec().getTemplate().getSpec().getInitContainers()).isNullOrEmpty();
        // kubectl apply must not need a CRD the cluster may lack
        assertThat(resources).allMatch(r -> r.getApiVersion().equals("v1") || r.getApiVersion().startsWith("apps/")
                || r.getApiVersion().startsWith("policy/") || r.getApiVersion().startsWith("rbac.authorization.k8s.io/"));
    }

    @Test
    void theSameSourcesGiveTheSameManifest() throws Exception {
        // no build timestamp, each variable once (docs/kubernetes.md: two clean builds give the same bytes)
        assertThat(Files.readString(MANIFEST)).doesNotContain("build-timestamp");
        assertThat(app.getEnv().stream().map(EnvVar::getName).distinct().count()).isEqualTo(app.getEnv().size());
        // a StatefulSet's selector is immutable: a version in it would make the next release's apply fail
        assertThat(set.getSpec().getSelector().getMatchLabels()).doesNotContainKey("app.kubernetes.io/version");
    }

    @Test
    void theDatabaseIsReachedThroughAService() {
        assertThat(envValue("HOLDFAST_DB_URL")).isEqualTo("jdbc:postgresql://holdfast-db-rw:5432/holdfast");
        assertThat(app.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals(envValue("HOLDFAST_TX_DIR")));
    }
}
