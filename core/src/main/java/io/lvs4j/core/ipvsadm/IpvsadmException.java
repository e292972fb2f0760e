package io.lvs4j.core.ipvsadm;

/**
 * An error ipvsadm would report: its message text (what it prints to stderr, without the final newline) and the
 * status it would exit with: 2 for the checks of {@code fail()}, 255 for {@code tryhelp_exit(-1)} and option
 * parser (popt) errors, 1 for a missing service when listing one.
 */
public final class IpvsadmException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Exit status of ipvsadm's {@code fail(2, ...)}: a bad command line. */
    public static final int EXIT_USAGE = 2;
    /** Exit status of {@code exit(-1)}: no command, an unknown option, an option parser error. */
    public static final int EXIT_TRY_HELP = 255;
    /** Exit status when the kernel has no such service to list. */
    public static final int EXIT_FAILURE = 1;

    private final int exitStatus;
    private final int lineNumber;

    /**
     * An error.
     *
     * @param message    ipvsadm's text.
     * @param exitStatus the status ipvsadm exits with.
     */
    public IpvsadmException(final String message, final int exitStatus)
    {
        this(message, exitStatus, 0);
    }

    /**
     * An error in a restore input line.
     *
     * @param message    ipvsadm's text.
     * @param exitStatus the status ipvsadm exits with.
     * @param lineNumber the 1-based line of the {@code -R} input, 0 when not from restore.
     */
    public IpvsadmException(final String message, final int exitStatus, final int lineNumber)
    {
        super(message);
        this.exitStatus = exitStatus;
        this.lineNumber = lineNumber;
    }

    /** @return the status ipvsadm exits with for this error. */
    public int exitStatus()
    {
        return exitStatus;
    }

    /** @return the 1-based line of the restore input that failed, 0 when not from restore. */
    public int lineNumber()
    {
        return lineNumber;
    }
}
