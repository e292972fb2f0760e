package io.lvs4j.forwarder.nativeio;

import com.sun.jna.LastErrorException;

/**
 * A system call failed: carries the call, its subject and {@code errno}, so that setup failures (no such interface,
 * no privilege, ring too large) say what was being done and why the kernel refused.
 */
public final class NativeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * A failure with a known errno.
     *
     * @param what  the call and its subject, e.g. "bind eth0".
     * @param errno the error number.
     */
    public NativeException(final String what, final int errno)
    {
        super(LibC.describe(what, errno));
        this.errno = errno;
    }

    /**
     * Wraps the exception JNA threw for a call that declares {@link LastErrorException}.
     *
     * @param what  the call and its subject.
     * @param cause JNA's exception.
     */
    public NativeException(final String what, final LastErrorException cause)
    {
        super(LibC.describe(what, cause.getErrorCode()), cause);
        this.errno = cause.getErrorCode();
    }

    /** @return the error number. */
    public int errno()
    {
        return errno;
    }
}
