package io.lvs4j.core.config.keepalived;

import java.util.List;

/**
 * Thrown when a configuration has errors; carries every problem found in the pass (errors and warnings), so a
 * user fixes them all at once rather than one per run.
 */
public final class KeepalivedConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    /**
     * @param problems the problems, at least one of them an error.
     */
    public KeepalivedConfigException(final List<ConfigProblem> problems)
    {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    /** @return every problem found, in the order found. */
    public List<ConfigProblem> problems()
    {
        return problems;
    }

    /** @return only the errors. */
    public List<ConfigProblem> errors()
    {
        return problems.stream().filter(ConfigProblem::isError).toList();
    }

    private static String describe(final List<ConfigProblem> problems)
    {
        final long errors = problems.stream().filter(ConfigProblem::isError).count();
        final StringBuilder sb = new StringBuilder().append(errors).append(errors == 1 ? " error" : " errors")
            .append(" in keepalived configuration");
        for (final ConfigProblem p : problems)
        {
            sb.append(System.lineSeparator()).append(p);
        }
        return sb.toString();
    }
}
