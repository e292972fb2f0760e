package io.lvs4j.core.config.keepalived;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one parse, so parsing goes on after the first and reports them all. */
final class Problems
{
    private final List<ConfigProblem> list = new ArrayList<>();

    void error(final Token at, final String message)
    {
        list.add(new ConfigProblem(at.file, at.line, at.column, ConfigProblem.Severity.ERROR, message));
    }

    void warning(final Token at, final String message)
    {
        list.add(new ConfigProblem(at.file, at.line, at.column, ConfigProblem.Severity.WARNING, message));
    }

    void add(final String file, final int line, final int column, final ConfigProblem.Severity severity,
        final String message)
    {
        list.add(new ConfigProblem(file, line, column, severity, message));
    }

    boolean hasErrors()
    {
        for (final ConfigProblem p : list)
        {
            if (p.isError())
            {
                return true;
            }
        }
        return false;
    }

    List<ConfigProblem> all()
    {
        return List.copyOf(list);
    }

    List<ConfigProblem> warnings()
    {
        return list.stream().filter(p -> !p.isError()).toList();
    }
}
