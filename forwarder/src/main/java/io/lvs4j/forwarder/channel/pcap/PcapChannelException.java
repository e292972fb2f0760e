package io.lvs4j.forwarder.channel.pcap;

/**
 * A libpcap channel could not open, read or write its interface or file. The message always names the interface
 * or file and carries libpcap's own explanation, so an operator can act on it without a stack trace.
 */
public final class PcapChannelException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Reports a failure with its cause.
     *
     * @param message what failed, naming the interface or file.
     * @param cause   the pcap4j or I/O exception underneath, may be null.
     */
    public PcapChannelException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /**
     * Reports a failure that has no underlying exception.
     *
     * @param message what failed, naming the interface or file.
     */
    public PcapChannelException(final String message)
    {
        super(message);
    }
}
