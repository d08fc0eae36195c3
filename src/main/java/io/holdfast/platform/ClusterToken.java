package io.holdfast.platform;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.jgroups.Message;
import org.jgroups.annotations.Property;
import org.jgroups.auth.AuthToken;
import org.jgroups.util.Bits;

/**
 * JGroups AUTH token of the Holdfast cluster: a join carries a digest of {@code holdfast.cluster.secret}, and the
 * coordinator admits only a joiner whose digest matches its own (compared in constant time). The channel below is
 * encrypted with a key derived from the same secret, so the digest never travels in clear.
 */
public class ClusterToken extends AuthToken {

    @Property(name = "auth_value", description = "digest of the cluster secret")
    protected String authValue;

    public ClusterToken() {
    }

    @Override
    public String getName() {
        return ClusterToken.class.getName();
    }

    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        if (!(token instanceof ClusterToken other) || authValue == null || other.authValue == null) {
            return false;
        }
        return MessageDigest.isEqual(authValue.getBytes(StandardCharsets.UTF_8),
                other.authValue.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        Bits.writeString(authValue, out);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        authValue = Bits.readString(in);
    }

    @Override
    public int size() {
        return Bits.size(authValue);
    }
}
