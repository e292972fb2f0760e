package io.lvs4j.examples;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import io.lvs4j.forwarder.admin.AdminCommand;
import io.lvs4j.forwarder.admin.AdminResponse;

/**
 * The director's admin socket: {@code --reload} (from {@code lvs4j ipvsadm --reload}) re-reads the keepalived
 * configuration, as SIGHUP does; everything else is ipvsadm's, handed to the wrapped command.
 */
public final class ReloadAdminCommand implements AdminCommand
{
    /** The argument that asks for a reload. */
    public static final String RELOAD = "--reload";

    private final AdminCommand ipvsadm;
    private final Supplier<String> reload;

    /**
     * @param ipvsadm what runs ipvsadm commands.
     * @param reload  re-reads the configuration and says what happened in one line, starting with
     *                {@code reloaded} on success.
     */
    public ReloadAdminCommand(final AdminCommand ipvsadm, final Supplier<String> reload)
    {
        this.ipvsadm = Objects.requireNonNull(ipvsadm);
        this.reload = Objects.requireNonNull(reload);
    }

    @Override
    public AdminResponse execute(final List<String> argv)
    {
        if (argv.size() == 1 && RELOAD.equals(argv.get(0)))
        {
            final String result = reload.get();
            return result.startsWith("reloaded") ? AdminResponse.ok(result + "\n") :
                AdminResponse.error(1, result + "\n");
        }
        return ipvsadm.execute(argv);
    }
}
