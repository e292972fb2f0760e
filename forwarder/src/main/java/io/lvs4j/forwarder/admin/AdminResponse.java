package io.lvs4j.forwarder.admin;

/**
 * What an admin command answered: the exit code and the text for standard output and standard error.
 *
 * @param exitCode the exit code (0 success, 1 failure, 2 usage error as ipvsadm has them).
 * @param out      text for standard output.
 * @param err      text for standard error.
 */
public record AdminResponse(int exitCode, String out, String err)
{
    /**
     * A success printing {@code out}.
     *
     * @param out the output.
     * @return the response.
     */
    public static AdminResponse ok(final String out)
    {
        return new AdminResponse(0, out, "");
    }

    /**
     * A failure printing {@code err}.
     *
     * @param exitCode the exit code.
     * @param err      the message.
     * @return the response.
     */
    public static AdminResponse error(final int exitCode, final String err)
    {
        return new AdminResponse(exitCode, "", err);
    }
}
