package enclave.network.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

/** DNS over a stream (RFC 1035 §4.2.2, RFC 7766): each message preceded by its length in two bytes; many per connection. */
final class TcpFraming {
    private TcpFraming() {}

    /** Answers framed queries until the peer closes the stream. */
    static void serve(InputStream input, OutputStream output, UnaryOperator<byte[]> answer) throws IOException {
        DataInputStream in = new DataInputStream(input);
        DataOutputStream out = new DataOutputStream(output);
        while (true) {
            int length;
            try {
                length = in.readUnsignedShort();
            } catch (EOFException e) {
                return;
            }
            byte[] query = new byte[length];
            in.readFully(query);
            byte[] response = answer.apply(query);
            if (response.length == 0) {
                // nothing sensible to say (not even a header to echo): the stream is out of step, end it
                return;
            }
            out.writeShort(response.length);
            out.write(response);
            out.flush();
        }
    }
}
