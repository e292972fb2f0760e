package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * A script keepalived runs on an event ({@code notify_up}, {@code quorum_down}, {@code notify_master}, ...):
 * {@code <SCRIPT> [user [group]]}. A quoted script may carry arguments; unquoted, the words after the script are
 * the user and group to run it as.
 *
 * @param command the command line as written.
 * @param user    the user to run it as, null for the default ({@code script_user}).
 * @param group   the group, null for the user's.
 */
public record NotifyScript(String command, String user, String group)
{
    /**
     * Checks the fields.
     *
     * @param command the command line.
     * @param user    the user or null.
     * @param group   the group or null.
     */
    public NotifyScript
    {
        Objects.requireNonNull(command, "command");
        if (group != null && user == null)
        {
            throw new IllegalArgumentException("a group needs a user");
        }
    }

    /**
     * @param command the command line.
     * @return a script run as the default user.
     */
    public static NotifyScript of(final String command)
    {
        return new NotifyScript(command, null, null);
    }
}
