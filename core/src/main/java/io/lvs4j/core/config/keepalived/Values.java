package io.lvs4j.core.config.keepalived;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads keyword values and records what is wrong with them: every reader reports a bad value as
 * {@code keyword: expected ..., got "..."} at the value's position and returns a fallback (or null), so
 * interpretation goes on and the parse reports everything in one pass.
 */
final class Values
{
    /** The longest timer accepted, in seconds: far beyond any sensible interval, far below overflow. */
    static final long MAX_TIMER_S = 1_000_000_000L;
    private static final BigDecimal MICROS = BigDecimal.valueOf(1_000_000);
    private static final Set<String> TRUE = Set.of("on", "yes", "true");
    private static final Set<String> FALSE = Set.of("off", "no", "false");

    final Problems problems;

    Values(final Problems problems)
    {
        this.problems = problems;
    }

    void error(final Token at, final String message)
    {
        problems.error(at, message);
    }

    void warning(final Token at, final String message)
    {
        problems.warning(at, message);
    }

    void bad(final ConfigNode n, final Token at, final String expected)
    {
        if (at == null)
        {
            problems.error(n.keyword, n.name() + ": expected " + expected + ", got nothing");
        }
        else
        {
            problems.error(at, n.name() + ": expected " + expected + ", got \"" + at.text + "\"");
        }
    }

    /** A value keyword must not open a block. */
    void noBlock(final ConfigNode n)
    {
        if (n.hasBlock())
        {
            problems.error(n.openBrace, n.name() + ": takes no { } block");
        }
    }

    /** A block keyword needs its block; returns its statements, empty when missing. */
    List<ConfigNode> block(final ConfigNode n)
    {
        if (!n.hasBlock())
        {
            problems.error(n.end(), n.name() + ": expected a { } block");
            return List.of();
        }
        return n.children;
    }

    /** Warns about words after the ones a keyword takes. */
    void extra(final ConfigNode n, final int allowed)
    {
        // a block keyword written without its block gets the block error, not this one too
        if (n.args.size() > allowed && (allowed > 0 || n.hasBlock()))
        {
            problems.warning(n.args.get(allowed), n.name() + ": extra words ignored from \"" +
                n.args.get(allowed).text + "\"");
        }
    }

    void unknown(final ConfigNode n, final String section)
    {
        problems.warning(n.keyword, "unknown keyword '" + n.name() + "' in " + section + "; ignored");
    }

    void unsupported(final ConfigNode n)
    {
        problems.warning(n.keyword, "'" + n.name() + "' is not supported by lvs4j; ignored");
    }

    /**
     * A keyword that is parsed (and kept for the writer) but that lvs4j does not act on, where keepalived would:
     * a warning, so that the difference is not silent.
     *
     * @param n           the keyword's node.
     * @param consequence what happens instead, e.g. "no e-mail is sent".
     */
    void unsupported(final ConfigNode n, final String consequence)
    {
        problems.warning(n.keyword, "'" + n.name() + "' is not supported by lvs4j; " + consequence);
    }

    /** The first argument as text, or null with an error. */
    String text(final ConfigNode n, final String expected)
    {
        noBlock(n);
        final Token t = n.arg(0);
        if (t == null)
        {
            bad(n, null, expected);
            return null;
        }
        extra(n, 1);
        return t.text;
    }

    /** The name of a named block ({@code vrrp_instance VI_1 { }}), or null with an error. */
    String name(final ConfigNode n, final String expected)
    {
        final Token t = n.arg(0);
        if (t == null)
        {
            bad(n, null, expected);
            return null;
        }
        extra(n, 1);
        return t.text;
    }

    /** All arguments joined by spaces (a script's command line); null with an error when there are none. */
    String joined(final ConfigNode n, final String expected)
    {
        noBlock(n);
        if (n.args.isEmpty())
        {
            bad(n, null, expected);
            return null;
        }
        final StringBuilder sb = new StringBuilder();
        for (final Token t : n.args)
        {
            if (sb.length() > 0)
            {
                sb.append(' ');
            }
            sb.append(t.text);
        }
        return sb.toString();
    }

    /** An integer argument in a range, or null with an error. */
    Integer integerAt(final ConfigNode n, final int index, final long min, final long max)
    {
        final Token t = n.arg(index);
        final String expected = "an integer " + min + ".." + max;
        if (t == null)
        {
            bad(n, null, expected);
            return null;
        }
        final Long v = parseLong(t.text);
        if (v == null || v < min || v > max)
        {
            bad(n, t, expected);
            return null;
        }
        return (int)(long)v;
    }

    /** The single integer value of a keyword; {@code fallback} after an error. */
    int integer(final ConfigNode n, final long min, final long max, final int fallback)
    {
        noBlock(n);
        extra(n, 1);
        final Integer v = integerAt(n, 0, min, max);
        return v == null ? fallback : v;
    }

    /** A timer argument (decimal seconds, microsecond resolution), or null with an error. */
    Duration timer(final ConfigNode n, final int index, final boolean zeroAllowed)
    {
        final Token t = n.arg(index);
        final String expected = "a time in seconds (" + (zeroAllowed ? "0" : "above 0") + ".." + MAX_TIMER_S + ")";
        if (t == null)
        {
            bad(n, null, expected);
            return null;
        }
        final Duration d = parseTimer(t.text);
        if (d == null || (!zeroAllowed && d.isZero()))
        {
            bad(n, t, expected);
            return null;
        }
        return d;
    }

    /** The single timer value of a keyword; {@code fallback} after an error. */
    Duration timer(final ConfigNode n, final boolean zeroAllowed, final Duration fallback)
    {
        noBlock(n);
        extra(n, 1);
        final Duration d = timer(n, 0, zeroAllowed);
        return d == null ? fallback : d;
    }

    static Duration parseTimer(final String text)
    {
        if (!text.matches("\\d+(\\.\\d*)?|\\.\\d+"))
        {
            return null;
        }
        final BigDecimal seconds = new BigDecimal(text);
        if (seconds.compareTo(BigDecimal.valueOf(MAX_TIMER_S)) > 0)
        {
            return null;
        }
        final long micros = seconds.multiply(MICROS).setScale(0, RoundingMode.HALF_UP).longValueExact();
        return Duration.ofNanos(micros * 1000);
    }

    static String formatTimer(final Duration d)
    {
        final long micros = d.toNanos() / 1000;
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    /** A boolean keyword: bare means true, else on/off/yes/no/true/false; {@code fallback} after an error. */
    boolean flag(final ConfigNode n, final boolean fallback)
    {
        noBlock(n);
        extra(n, 1);
        final Token t = n.arg(0);
        if (t == null)
        {
            return true;
        }
        final Boolean b = parseBool(t.text);
        if (b == null)
        {
            bad(n, t, "on|off|yes|no|true|false");
            return fallback;
        }
        return b;
    }

    static Boolean parseBool(final String text)
    {
        final String s = text.toLowerCase(Locale.ROOT);
        return TRUE.contains(s) ? Boolean.TRUE : FALSE.contains(s) ? Boolean.FALSE : null;
    }

    /** An IP literal argument, or null with an error. */
    InetAddress ip(final ConfigNode n, final Token t)
    {
        if (t == null)
        {
            bad(n, null, "an IP address");
            return null;
        }
        final InetAddress a = parseIp(t.text);
        if (a == null)
        {
            bad(n, t, "an IP address");
        }
        return a;
    }

    static InetAddress parseIp(final String text)
    {
        try
        {
            return Addresses.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    /** The single IP value of a keyword, or null with an error. */
    InetAddress ip(final ConfigNode n)
    {
        noBlock(n);
        extra(n, 1);
        return ip(n, n.arg(0));
    }

    /** An IPv4-only IP value. */
    InetAddress ipv4(final ConfigNode n)
    {
        final InetAddress a = ip(n);
        if (a != null && !(a instanceof Inet4Address))
        {
            bad(n, n.arg(0), "an IPv4 address");
            return null;
        }
        return a;
    }

    /** A port argument, or -1 with an error. */
    int port(final ConfigNode n, final Token t)
    {
        final Long v = t == null ? null : parseLong(t.text);
        if (v == null || v < 0 || v > 0xFFFF)
        {
            bad(n, t, "a port 0..65535");
            return -1;
        }
        return (int)(long)v;
    }

    /** One of a set of words (exact), or null with an error. */
    String oneOf(final ConfigNode n, final Token t, final String... choices)
    {
        if (t != null)
        {
            for (final String c : choices)
            {
                if (c.equals(t.text))
                {
                    return c;
                }
            }
        }
        bad(n, t, String.join("|", choices));
        return null;
    }

    /** {@code <SCRIPT> [user [group]]}: quoted scripts may hold arguments, an unquoted one is its first word. */
    NotifyScript script(final ConfigNode n)
    {
        noBlock(n);
        final Token t = n.arg(0);
        if (t == null || t.text.isBlank())
        {
            bad(n, t, "a script");
            return null;
        }
        extra(n, 3);
        final Token user = n.arg(1);
        final Token group = n.arg(2);
        return new NotifyScript(t.text, user == null ? null : user.text, group == null ? null : group.text);
    }

    /** Every word on every line of a block: the list blocks ({@code group}, {@code notification_email}). */
    List<String> words(final ConfigNode n)
    {
        final List<String> words = new ArrayList<>();
        for (final ConfigNode line : block(n))
        {
            noBlock(line);
            words.add(line.name());
            for (final Token t : line.args)
            {
                words.add(t.text);
            }
        }
        return words;
    }

    static Long parseLong(final String text)
    {
        if (!text.matches("-?\\d{1,18}"))
        {
            return null;
        }
        return Long.parseLong(text);
    }
}
