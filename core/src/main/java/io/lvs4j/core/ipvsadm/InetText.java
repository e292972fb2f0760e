package io.lvs4j.core.ipvsadm;

import io.lvs4j.core.flow.FlowKey;

/**
 * The C library's text conversions ipvsadm relies on, with glibc's exact acceptance rules, because they decide
 * which command lines are valid and what listings look like: {@code inet_aton} (lenient: {@code 10.1},
 * {@code 0x0a.1}, trailing blanks), {@code inet_pton} (strict), {@code inet_ntop} (IPv6 zero-run compression and
 * embedded IPv4), {@code strtol} and {@code atoi}.
 */
final class InetText
{
    /** Sentinel of the parse methods: not a number / not an address. */
    static final long INVALID = -1;

    private InetText()
    {
    }

    private static boolean isSpace(final char c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /**
     * glibc {@code inet_aton}: one to four parts separated by dots, each decimal, octal ({@code 0} prefix) or hex
     * ({@code 0x}); the last part fills the remaining bytes; anything after a blank is ignored.
     *
     * @param text the text.
     * @return the address as an unsigned 32-bit value, or {@link #INVALID}.
     */
    static long inetAton(final String text)
    {
        final long[] parts = new long[4];
        int count = 0;
        int i = 0;
        final int n = text.length();
        long val;
        char c = n > 0 ? text.charAt(0) : '\0';
        while (true)
        {
            if (c < '0' || c > '9')
            {
                return INVALID;
            }
            // strtoul(cp, &endp, 0)
            int base = 10;
            if (c == '0')
            {
                base = 8;
                if (i + 1 < n && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X') && i + 2 < n &&
                    Character.digit(text.charAt(i + 2), 16) >= 0)
                {
                    base = 16;
                    i += 2;
                }
            }
            val = 0;
            boolean overflow = false;
            while (i < n && Character.digit(text.charAt(i), base) >= 0 && text.charAt(i) < 128)
            {
                val = val * base + Character.digit(text.charAt(i), base);
                if (val > 0xFFFF_FFFFL)
                {
                    overflow = true;
                    val = 0x1_0000_0000L;
                }
                i++;
            }
            if (overflow)
            {
                return INVALID;
            }
            c = i < n ? text.charAt(i) : '\0';
            if (c == '.')
            {
                if (count > 2 || val > 0xFF)
                {
                    return INVALID;
                }
                parts[count++] = val;
                i++;
                c = i < n ? text.charAt(i) : '\0';
            }
            else
            {
                break;
            }
        }
        if (c != '\0' && !isSpace(c))
        {
            return INVALID;
        }
        final long[] limits = {0xFFFF_FFFFL, 0xFF_FFFFL, 0xFFFFL, 0xFFL};
        if (val > limits[count])
        {
            return INVALID;
        }
        long address = val;
        for (int p = 0; p < count; p++)
        {
            address |= parts[p] << (24 - 8 * p);
        }
        return address;
    }

    /**
     * glibc {@code inet_pton(AF_INET)}: exactly four decimal parts, each 0..255, no leading zeros.
     *
     * @param text the text.
     * @return the address as an unsigned 32-bit value, or {@link #INVALID}.
     */
    static long inetPton4(final String text)
    {
        return inetPton4(text, 0, text.length());
    }

    private static long inetPton4(final String text, final int from, final int to)
    {
        long address = 0;
        int octets = 0;
        boolean sawDigit = false;
        int current = 0;
        for (int i = from; i < to; i++)
        {
            final char c = text.charAt(i);
            if (c >= '0' && c <= '9')
            {
                if (sawDigit && current == 0)
                {
                    return INVALID;
                }
                current = current * 10 + (c - '0');
                if (current > 255)
                {
                    return INVALID;
                }
                if (!sawDigit)
                {
                    if (++octets > 4)
                    {
                        return INVALID;
                    }
                    sawDigit = true;
                }
            }
            else if (c == '.' && sawDigit)
            {
                if (octets == 4)
                {
                    return INVALID;
                }
                address = (address << 8) | current;
                current = 0;
                sawDigit = false;
            }
            else
            {
                return INVALID;
            }
        }
        if (octets < 4 || !sawDigit)
        {
            return INVALID;
        }
        return (address << 8) | current;
    }

    /**
     * glibc {@code inet_pton(AF_INET6)}: hex groups of up to four digits, at most one {@code ::}, an optional
     * dotted IPv4 tail; no brackets, no zone.
     *
     * @param text the text.
     * @return {@code {hi, lo}}, or null when not an IPv6 address.
     */
    static long[] inetPton6(final String text)
    {
        final int[] words = new int[8];
        int w = 0;
        int colonAt = -1;
        final int n = text.length();
        int i = 0;
        if (n > 0 && text.charAt(0) == ':')
        {
            if (n < 2 || text.charAt(1) != ':')
            {
                return null;
            }
            i = 1;
        }
        int curtok = i;
        boolean sawXdigit = false;
        int val = 0;
        int digits = 0;
        while (i < n)
        {
            final char c = text.charAt(i++);
            final int d = c < 128 ? Character.digit(c, 16) : -1;
            if (d >= 0)
            {
                if (++digits > 4)
                {
                    return null;
                }
                val = (val << 4) | d;
                sawXdigit = true;
                continue;
            }
            if (c == ':')
            {
                curtok = i;
                if (!sawXdigit)
                {
                    if (colonAt >= 0)
                    {
                        return null;
                    }
                    colonAt = w;
                    continue;
                }
                else if (i == n)
                {
                    return null;
                }
                if (w == 8)
                {
                    return null;
                }
                words[w++] = val;
                sawXdigit = false;
                digits = 0;
                val = 0;
                continue;
            }
            if (c == '.' && w <= 6)
            {
                final long v4 = inetPton4(text, curtok, n);
                if (v4 == INVALID)
                {
                    return null;
                }
                words[w++] = (int)(v4 >>> 16);
                words[w++] = (int)(v4 & 0xFFFF);
                sawXdigit = false;
                break;
            }
            return null;
        }
        if (sawXdigit)
        {
            if (w == 8)
            {
                return null;
            }
            words[w++] = val;
        }
        if (colonAt >= 0)
        {
            if (w == 8)
            {
                return null;
            }
            final int tail = w - colonAt;
            for (int k = 1; k <= tail; k++)
            {
                words[8 - k] = words[colonAt + tail - k];
                words[colonAt + tail - k] = 0;
            }
            w = 8;
        }
        if (w != 8)
        {
            return null;
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++)
        {
            hi = (hi << 16) | words[k];
            lo = (lo << 16) | words[k + 4];
        }
        return new long[] {hi, lo};
    }

    /**
     * glibc {@code inet_ntop}: dotted quad, or IPv6 with the longest run of two or more zero groups (the first of
     * equal runs) as {@code ::} and IPv4-compatible / -mapped addresses ending in a dotted quad.
     *
     * @param sb     where to append.
     * @param family {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}.
     * @param hi     address, high 64 bits.
     * @param lo     address, low 64 bits.
     * @return {@code sb}.
     */
    static StringBuilder appendNtop(final StringBuilder sb, final int family, final long hi, final long lo)
    {
        if (family != FlowKey.AF_INET6)
        {
            return appendV4(sb, lo);
        }
        final int[] words = new int[8];
        for (int i = 0; i < 8; i++)
        {
            words[i] = (int)(((i < 4 ? hi : lo) >>> (48 - 16 * (i & 3))) & 0xFFFF);
        }
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i < 8; i++)
        {
            if (words[i] == 0)
            {
                if (curBase == -1)
                {
                    curBase = i;
                    curLen = 1;
                }
                else
                {
                    curLen++;
                }
            }
            else if (curBase != -1)
            {
                if (bestBase == -1 || curLen > bestLen)
                {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen))
        {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2)
        {
            bestBase = -1;
        }
        for (int i = 0; i < 8; i++)
        {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen)
            {
                if (i == bestBase)
                {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0)
            {
                sb.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xFFFF)))
            {
                appendV4(sb, lo & 0xFFFF_FFFFL);
                return sb;
            }
            sb.append(Integer.toHexString(words[i]));
        }
        if (bestBase != -1 && bestBase + bestLen == 8)
        {
            sb.append(':');
        }
        return sb;
    }

    static StringBuilder appendV4(final StringBuilder sb, final long address)
    {
        return sb.append((address >>> 24) & 0xFF).append('.').append((address >>> 16) & 0xFF).append('.')
            .append((address >>> 8) & 0xFF).append('.').append(address & 0xFF);
    }

    /**
     * @param family {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}.
     * @param hi     address, high 64 bits.
     * @param lo     address, low 64 bits.
     * @return the address as {@code inet_ntop} writes it.
     */
    static String ntop(final int family, final long hi, final long lo)
    {
        return appendNtop(new StringBuilder(40), family, hi, lo).toString();
    }

    /**
     * glibc {@code strtol(s, &end, 10)} as ipvsadm's {@code string_to_number} uses it: leading blanks, an optional
     * sign, at least one digit, nothing after.
     *
     * @param text the text.
     * @return the value, or null when not a whole number or out of {@code long} range.
     */
    static Long strtol(final String text)
    {
        int i = 0;
        final int n = text.length();
        while (i < n && isSpace(text.charAt(i)))
        {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-'))
        {
            negative = text.charAt(i) == '-';
            i++;
        }
        final int start = i;
        long value = 0;
        boolean overflow = false;
        while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9')
        {
            final int d = text.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - d) / 10)
            {
                overflow = true;
            }
            else
            {
                value = value * 10 + d;
            }
            i++;
        }
        if (i == start || i != n || overflow)
        {
            return null;
        }
        return negative ? -value : value;
    }

    /**
     * ipvsadm's {@code string_to_number}: a whole decimal number within bounds.
     *
     * @param text the text.
     * @param min  smallest value accepted.
     * @param max  largest value accepted.
     * @return the number, or -1 when not a number or out of bounds.
     */
    static long stringToNumber(final String text, final long min, final long max)
    {
        final Long value = strtol(text);
        if (value == null || value < min || value > max)
        {
            return -1;
        }
        return value;
    }

    /**
     * C {@code atoi}: leading blanks, optional sign, the digits that follow; 0 when none.
     *
     * @param text the text.
     * @return the value, clamped to the int range.
     */
    static int atoi(final String text)
    {
        int i = 0;
        final int n = text.length();
        while (i < n && isSpace(text.charAt(i)))
        {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-'))
        {
            negative = text.charAt(i) == '-';
            i++;
        }
        long value = 0;
        while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9')
        {
            value = Math.min(value * 10 + (text.charAt(i) - '0'), 1L << 32);
            i++;
        }
        value = negative ? -value : value;
        return (int)Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
    }

    /**
     * ipvsadm's {@code str_is_digit}: true when every character is a digit (also for the empty string).
     *
     * @param text the text.
     * @return whether it is all digits.
     */
    static boolean allDigits(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            if (text.charAt(i) < '0' || text.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }
}
