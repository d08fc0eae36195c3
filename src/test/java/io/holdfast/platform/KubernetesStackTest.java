package io.holdfast.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.jgroups.conf.ConfiguratorFactory;
import org.jgroups.conf.ProtocolConfiguration;
import org.junit.jupiter.api.Test;

/**
 * The JGroups stack the StatefulSet selects (jgroups-holdfast-kubernetes.xml) is the pair's TCP stack with its static
 * member list replaced by DNS discovery, and nothing else: the same encryption, the same AUTH with the cluster secret,
 * the same failure detection. A protocol added to or changed in one stack and not the other fails here.
 */
class KubernetesStackTest {

    static List<ProtocolConfiguration> stack(String file) throws Exception {
        return ConfiguratorFactory.getStackConfigurator(file).getProtocolStack();
    }

    @Test
    void kubernetesStackIsTheTcpStackWithDnsDiscovery() throws Exception {
        List<ProtocolConfiguration> tcp = stack("jgroups-holdfast-tcp.xml");
        List<ProtocolConfiguration> kube = stack("jgroups-holdfast-kubernetes.xml");

        assertThat(kube).hasSameSizeAs(tcp);
        for (int i = 0; i < tcp.size(); i++) {
            ProtocolConfiguration t = tcp.get(i);
            ProtocolConfiguration k = kube.get(i);
            if (t.getProtocolName().equals("TCPPING")) {
                assertThat(k.getProtocolName()).isEqualTo("dns.DNS_PING");
                assertThat(k.getProperties()).containsEntry("dns_record_type", "A")
                        .containsEntry("dns_query", "${hf.jgroups.dns_query:holdfast-cluster}");
            } else {
                assertThat(k.getProtocolName()).as("protocol %d", i).isEqualTo(t.getProtocolName());
                assertThat(k.getProperties()).as(t.getProtocolName()).isEqualTo(t.getProperties());
            }
        }
    }

    @Test
    void kubernetesStackEncryptsAndAuthenticatesWithTheClusterSecret() throws Exception {
        Map<String, String> auth = protocol(stack("jgroups-holdfast-kubernetes.xml"), "AUTH");
        Map<String, String> encrypt = protocol(stack("jgroups-holdfast-kubernetes.xml"), "SYM_ENCRYPT");
        assertThat(auth).containsEntry("auth_class", ClusterToken.class.getName())
                .containsEntry("auth_token.auth_value", "${hf.jgroups.auth_digest}");
        assertThat(encrypt).containsEntry("keystore_name", "${hf.jgroups.keystore}");
    }

    private static Map<String, String> protocol(List<ProtocolConfiguration> stack, String name) {
        return stack.stream().filter(p -> p.getProtocolName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in the stack")).getProperties();
    }
}
