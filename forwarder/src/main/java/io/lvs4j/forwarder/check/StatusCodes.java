package io.lvs4j.forwarder.check;

import java.util.ArrayList;
import java.util.List;

/**
 * The HTTP status codes a {@code url} block accepts: keepalived's {@code status_code N|N-M ...}, default
 * {@code 200-299}.
 *
 * @param ranges inclusive {@code [low, high]} pairs.
 */
public record StatusCodes(List<int[]> ranges)
{
    /** keepalived's default: any 2xx. */
    public static final StatusCodes DEFAULT = parse("200-299");

    /**
     * Validates and copies the ranges.
     */
    public StatusCodes
    {
        final List<int[]> copy = new ArrayList<>(ranges.size());
        for (final int[] range : ranges)
        {
            if (range.length != 2 || range[0] < 100 || range[1] > 999 || range[0] > range[1])
            {
                throw new IllegalArgumentException("bad status code range");
            }
            copy.add(range.clone());
        }
        if (copy.isEmpty())
        {
            throw new IllegalArgumentException("no status codes");
        }
        ranges = List.copyOf(copy);
    }

    /**
     * @param text codes and ranges separated by spaces or commas, e.g. {@code "200 301-302"}.
     * @return the set.
     */
    public static StatusCodes parse(final String text)
    {
        final List<int[]> ranges = new ArrayList<>();
        for (final String item : text.trim().split("[\\s,]+"))
        {
            final int dash = item.indexOf('-');
            try
            {
                ranges.add(dash < 0 ?
                    new int[]{Integer.parseInt(item), Integer.parseInt(item)} :
                    new int[]{Integer.parseInt(item.substring(0, dash)), Integer.parseInt(item.substring(dash + 1))});
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("bad status_code: " + item, ex);
            }
        }
        return new StatusCodes(ranges);
    }

    /**
     * @param code a response's status.
     * @return whether it is accepted.
     */
    public boolean contains(final int code)
    {
        for (final int[] range : ranges)
        {
            if (code >= range[0] && code <= range[1])
            {
                return true;
            }
        }
        return false;
    }

    /** @return the set in keepalived's notation. */
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final int[] range : ranges)
        {
            sb.append(sb.length() == 0 ? "" : " ").append(range[0]);
            if (range[1] != range[0])
            {
                sb.append('-').append(range[1]);
            }
        }
        return sb.toString();
    }
}
