package io.lvs4j.forwarder.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.VirtualServerConfig;

/**
 * Finds where a virtual server is written, for messages about configurations the director cannot run. The parsed
 * model carries no positions, so the files the configuration was read from are searched for the block's opening
 * line; a configuration parsed from text names itself only.
 */
final class ConfigLocator
{
    private ConfigLocator()
    {
    }

    /**
     * @param config the configuration.
     * @param vs     one of its virtual servers.
     * @return {@code file:line} of its {@code virtual_server} line, or the main file (or {@code keepalived.conf})
     *         when it cannot be found.
     */
    static String locate(final KeepalivedConfig config, final VirtualServerConfig vs)
    {
        final String head = switch (vs.kind())
        {
            case ADDRESS -> Pattern.quote(vs.address().getHostAddress()) + (vs.port() != 0 ? "\\s+" + vs.port() : "");
            case FWMARK -> "fwmark\\s+(" + Integer.toUnsignedString(vs.fwmark()) + "|0[xX]0*" +
                Integer.toHexString(vs.fwmark()) + ")";
            case GROUP -> "group\\s+" + Pattern.quote(vs.group());
        };
        final Pattern line = Pattern.compile("^\\s*(@\\^?\\S+\\s+)?virtual_server\\s+" + head + "(\\s|\\{|$).*");
        for (final Path file : config.files())
        {
            try
            {
                final List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++)
                {
                    if (line.matcher(lines.get(i)).matches())
                    {
                        return file + ":" + (i + 1);
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // the file changed or went away since the parse: fall back to naming the configuration
            }
        }
        return config.files().isEmpty() ? "keepalived.conf" : config.files().get(0).toString();
    }
}
