package io.lvs4j.core.config.keepalived;

import java.nio.file.Path;
import java.util.List;

/**
 * The configuration test of {@code keepalived -t}: parse a file and its includes, report every problem and a
 * one-line verdict, never throw for a bad configuration.
 */
public final class ConfigCheck
{
    private ConfigCheck()
    {
    }

    /**
     * Checks a configuration file.
     *
     * @param file     the main file.
     * @param configId the config id for {@code @id} lines ({@code -i}), null for none.
     * @return the verdict.
     */
    public static Verdict check(final Path file, final String configId)
    {
        final KeepalivedParser.Result result = new KeepalivedParser(configId).check(file);
        return new Verdict(file.toString(), result.problems(), result.config());
    }

    /**
     * Checks configuration text.
     *
     * @param name      the name to report.
     * @param text      the configuration.
     * @param directory where relative includes are looked up.
     * @param configId  the config id, null for none.
     * @return the verdict.
     */
    public static Verdict check(final String name, final String text, final Path directory, final String configId)
    {
        final KeepalivedParser.Result result = new KeepalivedParser(configId).check(name, text, directory);
        return new Verdict(name, result.problems(), result.config());
    }

    /**
     * What a configuration test found.
     *
     * @param file     the file checked.
     * @param problems every problem, in the order found.
     * @param config   the configuration when there were no errors, else null.
     */
    public record Verdict(String file, List<ConfigProblem> problems, KeepalivedConfig config)
    {
        /**
         * Copies the list.
         *
         * @param file     file.
         * @param problems problems.
         * @param config   configuration or null.
         */
        public Verdict
        {
            problems = List.copyOf(problems);
        }

        /** @return true when there is no error (warnings allowed), as keepalived's exit status 0. */
        public boolean ok()
        {
            return errors().isEmpty();
        }

        /** @return the errors. */
        public List<ConfigProblem> errors()
        {
            return problems.stream().filter(ConfigProblem::isError).toList();
        }

        /** @return the warnings. */
        public List<ConfigProblem> warnings()
        {
            return problems.stream().filter(p -> !p.isError()).toList();
        }

        /**
         * One line for a terminal: {@code keepalived.conf: configuration OK, 1 warning (1 virtual server, 2 real
         * servers, 1 VRRP instance)} or {@code keepalived.conf: 2 errors, 0 warnings; first: <problem>}.
         *
         * @return the summary.
         */
        public String summary()
        {
            final int e = errors().size();
            final int w = warnings().size();
            if (e > 0)
            {
                return file + ": " + count(e, "error") + ", " + count(w, "warning") + "; first: " + errors().get(0);
            }
            final int rs = config.virtualServers().stream().mapToInt(s -> s.realServers().size()).sum();
            return file + ": configuration OK, " + count(w, "warning") + " (" +
                count(config.virtualServers().size(), "virtual server") + ", " + count(rs, "real server") + ", " +
                count(config.vrrpInstances().size(), "VRRP instance") + ")";
        }

        private static String count(final int n, final String what)
        {
            return n + " " + what + (n == 1 ? "" : "s");
        }
    }
}
