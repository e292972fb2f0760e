package io.lvs4j.bench.lab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} and {@code --flag} options; unknown names fail with the usage text. */
final class Args
{
    private final Map<String, String> values = new HashMap<>();

    Args(final String[] args, final String usage, final String... known)
    {
        final List<String> names = List.of(known);
        for (int i = 0; i < args.length; i++)
        {
            final String a = args[i];
            if (a.equals("-h") || a.equals("--help"))
            {
                System.out.println(usage);
                System.exit(0);
            }
            final String name = a.startsWith("--") ? a.substring(2) : null;
            final String bare = name != null && name.contains("=") ? name.substring(0, name.indexOf('=')) : name;
            if (bare == null || !names.contains(bare))
            {
                System.err.println("unknown argument: " + a + "\n" + usage);
                System.exit(2);
            }
            if (name.contains("="))
            {
                values.put(bare, name.substring(name.indexOf('=') + 1));
            }
            else if (i + 1 < args.length && !args[i + 1].startsWith("--"))
            {
                values.put(bare, args[++i]);
            }
            else
            {
                values.put(bare, "true");
            }
        }
    }

    String get(final String name, final String dflt)
    {
        return values.getOrDefault(name, dflt);
    }

    double number(final String name, final double dflt)
    {
        return values.containsKey(name) ? Double.parseDouble(values.get(name)) : dflt;
    }

    boolean flag(final String name)
    {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    List<String> list(final String name, final String dflt)
    {
        final List<String> out = new ArrayList<>();
        for (final String s : get(name, dflt).split(","))
        {
            if (!s.isBlank())
            {
                out.add(s.strip());
            }
        }
        return out;
    }
}
