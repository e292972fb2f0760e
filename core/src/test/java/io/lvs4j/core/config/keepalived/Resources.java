package io.lvs4j.core.config.keepalived;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Locates the test configurations under {@code src/test/resources/keepalived}. */
final class Resources
{
    private Resources()
    {
    }

    static Path path(final String name)
    {
        try
        {
            return Path.of(Resources.class.getResource("/keepalived/" + name).toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
