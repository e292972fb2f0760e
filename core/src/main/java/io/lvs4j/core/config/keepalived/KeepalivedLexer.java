package io.lvs4j.core.config.keepalived;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns configuration text into tokens the way keepalived's {@code parser.c} reads lines: conditional
 * {@code @id} prefixes first, then comments ({@code !} or {@code #} outside quotes, anywhere on the line),
 * {@code $NAME=value} definitions and {@code $NAME}/{@code ${NAME}} substitution, {@code include <glob>}
 * (relative to the including file's directory, spliced in place), and finally words, quoted strings and braces.
 */
final class KeepalivedLexer
{
    private static final int MAX_INCLUDE_DEPTH = 32;

    private final String configId;
    private final Problems problems;
    private final Map<String, String> parameters = new HashMap<>();
    private final List<Path> files = new ArrayList<>();
    private final Deque<Path> including = new ArrayDeque<>();
    private final List<Token> tokens = new ArrayList<>();
    private Path topDirectory;

    KeepalivedLexer(final String configId, final Problems problems)
    {
        this.configId = configId;
        this.problems = problems;
    }

    List<Token> tokens()
    {
        return tokens;
    }

    List<Path> files()
    {
        return List.copyOf(files);
    }

    /**
     * Reads the main file.
     *
     * @param file the file.
     * @return false when it cannot be read (an error is recorded).
     */
    boolean readMain(final Path file)
    {
        final Path absolute = file.toAbsolutePath().normalize();
        topDirectory = absolute.getParent();
        final String name = file.toString();
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            problems.add(name, 0, 0, ConfigProblem.Severity.ERROR, "cannot read the configuration: " + ex);
            return false;
        }
        files.add(absolute);
        including.push(realPath(absolute));
        lex(name, new String(bytes, StandardCharsets.UTF_8), topDirectory);
        including.pop();
        return true;
    }

    /**
     * Reads configuration text that did not come from a file.
     *
     * @param name      the name to use in messages.
     * @param text      the text.
     * @param directory where relative includes are looked up.
     */
    void readText(final String name, final String text, final Path directory)
    {
        topDirectory = directory.toAbsolutePath().normalize();
        lex(name, text, topDirectory);
    }

    private void lex(final String file, final String text, final Path directory)
    {
        final String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            lexLine(file, i + 1, lines[i], directory);
        }
    }

    private void lexLine(final String file, final int lineNo, final String raw, final Path directory)
    {
        String line = raw.replace('\t', ' ');
        final int start = firstNonBlank(line, 0);
        if (start < 0)
        {
            return;
        }
        if (line.charAt(start) == '@')
        {
            final int end = wordEnd(line, start);
            final String id = line.substring(start + 1, end);
            final boolean negated = id.startsWith("^");
            final String wanted = negated ? id.substring(1) : id;
            final boolean matches = wanted.equals(configId);
            if (negated == matches)
            {
                return;
            }
            // blank the prefix rather than cut it, so columns still point into the original line
            line = " ".repeat(end) + line.substring(end);
        }
        line = stripComment(line);
        final int first = firstNonBlank(line, 0);
        if (first < 0)
        {
            return;
        }
        if (line.charAt(first) == '$' && defineParameter(file, lineNo, line, first))
        {
            return;
        }
        if (line.indexOf('$') >= 0)
        {
            line = substitute(file, lineNo, line);
        }
        final int firstEnd = wordEnd(line, first);
        if ("include".equals(line.substring(first, firstEnd)))
        {
            include(file, lineNo, first + 1, line.substring(firstEnd).trim(), directory);
            return;
        }
        tokenize(file, lineNo, line);
    }

    private boolean defineParameter(final String file, final int lineNo, final String line, final int first)
    {
        int i = first + 1;
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_'))
        {
            i++;
        }
        final String name = line.substring(first + 1, i);
        int eq = i;
        while (eq < line.length() && line.charAt(eq) == ' ')
        {
            eq++;
        }
        if (name.isEmpty() || eq >= line.length() || line.charAt(eq) != '=')
        {
            return false;
        }
        String value = line.substring(eq + 1).trim();
        if (value.indexOf('$') >= 0)
        {
            value = substitute(file, lineNo, value);
        }
        parameters.put(name, value);
        return true;
    }

    private String substitute(final String file, final int lineNo, final String line)
    {
        final StringBuilder sb = new StringBuilder(line.length());
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (c == '"')
            {
                quoted = !quoted;
            }
            if (c != '$' || i + 1 >= line.length())
            {
                sb.append(c);
                continue;
            }
            final boolean braced = line.charAt(i + 1) == '{';
            int j = braced ? i + 2 : i + 1;
            final int nameStart = j;
            while (j < line.length() && (Character.isLetterOrDigit(line.charAt(j)) || line.charAt(j) == '_'))
            {
                j++;
            }
            final String name = line.substring(nameStart, j);
            if (name.isEmpty() || (braced && (j >= line.length() || line.charAt(j) != '}')))
            {
                sb.append(c);
                continue;
            }
            final String value = parameters.get(name);
            if (value == null)
            {
                // a shell variable in a quoted script is not ours to complain about
                if (!quoted)
                {
                    problems.add(file, lineNo, i + 1, ConfigProblem.Severity.WARNING,
                        "$" + name + " is not defined; left as written");
                }
                sb.append(c);
                continue;
            }
            sb.append(value);
            i = braced ? j : j - 1;
        }
        return sb.toString();
    }

    private void include(
        final String file, final int lineNo, final int column, final String argument, final Path directory)
    {
        final Token at = new Token("include", false, file, lineNo, column, true);
        String pattern = argument;
        if (pattern.length() >= 2 && pattern.startsWith("\"") && pattern.endsWith("\""))
        {
            pattern = pattern.substring(1, pattern.length() - 1);
        }
        if (pattern.isEmpty())
        {
            problems.error(at, "include: expected a file name or pattern");
            return;
        }
        if (including.size() >= MAX_INCLUDE_DEPTH)
        {
            problems.error(at, "include: more than " + MAX_INCLUDE_DEPTH + " nested includes");
            return;
        }
        final boolean glob = isGlob(pattern);
        final List<Path> matches;
        try
        {
            matches = expand(directory, pattern, glob);
        }
        catch (final IOException | RuntimeException ex)
        {
            problems.error(at, "include: cannot expand \"" + pattern + "\": " + ex.getMessage());
            return;
        }
        if (matches.isEmpty())
        {
            if (glob)
            {
                problems.warning(at, "include: no file matches \"" + pattern + "\"");
            }
            else
            {
                problems.error(at, "include: file not found: " + directory.resolve(pattern).normalize());
            }
            return;
        }
        for (final Path path : matches)
        {
            final Path real = realPath(path);
            if (including.contains(real))
            {
                final StringBuilder chain = new StringBuilder();
                final List<Path> stack = new ArrayList<>(including);
                for (int i = stack.size() - 1; i >= 0; i--)
                {
                    chain.append(display(stack.get(i))).append(" -> ");
                }
                problems.error(at, "include cycle: " + chain.append(display(real)));
                continue;
            }
            final byte[] bytes;
            try
            {
                bytes = Files.readAllBytes(path);
            }
            catch (final IOException ex)
            {
                problems.error(at, "include: cannot read " + path + ": " + ex);
                continue;
            }
            files.add(path);
            including.push(real);
            lex(display(path), new String(bytes, StandardCharsets.UTF_8), path.getParent());
            including.pop();
        }
    }

    private static List<Path> expand(final Path directory, final String pattern, final boolean glob)
        throws IOException
    {
        final Path full = directory.resolve(pattern).normalize();
        if (!glob)
        {
            return Files.isRegularFile(full) ? List.of(full) : List.of();
        }
        // walk from the deepest directory without wildcards, as deep as the pattern has components
        Path base = full.getRoot();
        int depth = 0;
        for (int i = 0; i < full.getNameCount(); i++)
        {
            if (depth == 0 && !isGlob(full.getName(i).toString()))
            {
                base = base.resolve(full.getName(i));
            }
            else
            {
                depth++;
            }
        }
        if (!Files.isDirectory(base))
        {
            return List.of();
        }
        final PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + full);
        final int names = full.getNameCount();
        try (Stream<Path> walk = Files.walk(base, depth))
        {
            // glob(3) returns sorted names; keepalived reads them in that order
            return walk.filter(p -> p.getNameCount() == names && matcher.matches(p) && Files.isRegularFile(p))
                .sorted().toList();
        }
    }

    private static boolean isGlob(final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{')
            {
                return true;
            }
        }
        return false;
    }

    private String display(final Path path)
    {
        if (topDirectory != null && path.startsWith(topDirectory))
        {
            return topDirectory.relativize(path).toString();
        }
        return path.toString();
    }

    private static Path realPath(final Path path)
    {
        try
        {
            return path.toRealPath();
        }
        catch (final IOException ex)
        {
            return path.toAbsolutePath().normalize();
        }
    }

    private void tokenize(final String file, final int lineNo, final String line)
    {
        boolean first = true;
        int i = 0;
        final int n = line.length();
        while (i < n)
        {
            final char c = line.charAt(i);
            if (c == ' ' || c == '\r' || c == '\f')
            {
                i++;
                continue;
            }
            final int column = i + 1;
            if (c == '{' || c == '}')
            {
                tokens.add(new Token(String.valueOf(c), false, file, lineNo, column, first));
                i++;
            }
            else if (c == '"')
            {
                final StringBuilder sb = new StringBuilder();
                int j = i + 1;
                boolean closed = false;
                while (j < n)
                {
                    final char d = line.charAt(j);
                    if (d == '\\' && j + 1 < n && (line.charAt(j + 1) == '"' || line.charAt(j + 1) == '\\'))
                    {
                        sb.append(line.charAt(j + 1));
                        j += 2;
                        continue;
                    }
                    if (d == '"')
                    {
                        closed = true;
                        break;
                    }
                    sb.append(d);
                    j++;
                }
                if (!closed)
                {
                    problems.add(file, lineNo, column, ConfigProblem.Severity.ERROR,
                        "unterminated quoted string: expected a closing '\"' before the end of the line");
                }
                tokens.add(new Token(sb.toString(), true, file, lineNo, column, first));
                i = j + 1;
            }
            else
            {
                int j = i;
                while (j < n && " \r\f{}\"".indexOf(line.charAt(j)) < 0)
                {
                    j++;
                }
                tokens.add(new Token(line.substring(i, j), false, file, lineNo, column, first));
                i = j;
            }
            first = false;
        }
    }

    private static String stripComment(final String line)
    {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (c == '\\' && quoted && i + 1 < line.length())
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && (c == '#' || c == '!'))
            {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static int firstNonBlank(final String s, final int from)
    {
        for (int i = from; i < s.length(); i++)
        {
            if (!Character.isWhitespace(s.charAt(i)))
            {
                return i;
            }
        }
        return -1;
    }

    private static int wordEnd(final String s, final int from)
    {
        int i = from;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i)))
        {
            i++;
        }
        return i;
    }
}
