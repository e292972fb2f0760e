package io.lvs4j.forwarder.check;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The byte stream under a stream check: plain TCP, or TLS through an {@code SSLEngine}. Non-blocking: every call
 * does what it can now and says what it is waiting for.
 */
interface Transport
{
    /**
     * Advances the handshake.
     *
     * @return true when application data can flow.
     * @throws IOException on a socket or TLS error.
     */
    boolean handshake() throws IOException;

    /**
     * @return whether an unfinished handshake or flush waits for the socket to become writable (else readable).
     */
    boolean wantsWrite();

    /**
     * Takes as much of {@code src} as can be sent or buffered now.
     *
     * @param src application bytes.
     * @throws IOException on a socket or TLS error.
     */
    void write(ByteBuffer src) throws IOException;

    /**
     * Writes buffered bytes.
     *
     * @return true when nothing is left buffered.
     * @throws IOException on a socket error.
     */
    boolean flush() throws IOException;

    /**
     * Reads application bytes.
     *
     * @param dst where to put them.
     * @return bytes read, 0 when none are available now, -1 at the end of the stream.
     * @throws IOException on a socket or TLS error.
     */
    int read(ByteBuffer dst) throws IOException;
}
