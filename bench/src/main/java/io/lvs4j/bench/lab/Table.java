package io.lvs4j.bench.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A plain-text table: the first column left-aligned, the others right-aligned; also printable as Markdown. */
final class Table
{
    private final String[] headers;
    private final List<String[]> rows = new ArrayList<>();

    Table(final String... headers)
    {
        this.headers = headers.clone();
    }

    void row(final String... cells)
    {
        if (cells.length != headers.length)
        {
            throw new IllegalArgumentException("expected " + headers.length + " cells, got " + cells.length);
        }
        rows.add(cells.clone());
    }

    String render()
    {
        final int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++)
        {
            width[i] = headers[i].length();
        }
        for (final String[] r : rows)
        {
            for (int i = 0; i < r.length; i++)
            {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        final StringBuilder sb = new StringBuilder();
        line(sb, headers, width);
        for (int i = 0; i < width.length; i++)
        {
            sb.append(i == 0 ? "|" : "").append(i == 0 ? ":" : "-").append("-".repeat(width[i]))
                .append(i == 0 ? "-" : ":").append('|');
        }
        sb.append('\n');
        for (final String[] r : rows)
        {
            line(sb, r, width);
        }
        return sb.toString();
    }

    private static void line(final StringBuilder sb, final String[] cells, final int[] width)
    {
        sb.append('|');
        for (int i = 0; i < cells.length; i++)
        {
            final String pad = " ".repeat(width[i] - cells[i].length());
            sb.append(' ').append(i == 0 ? cells[i] + pad : pad + cells[i]).append(" |");
        }
        sb.append('\n');
    }

    /** 1234567 -> "1.23M", 45678 -> "45.7k". */
    static String si(final double v)
    {
        if (Double.isNaN(v))
        {
            return "-";
        }
        if (Math.abs(v) >= 1e6)
        {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (Math.abs(v) >= 1e3)
        {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String ratio(final double v, final double base)
    {
        if (Double.isNaN(v) || Double.isNaN(base) || base <= 0)
        {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f", v / base);
    }

    static String pct(final double v)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", v * 100);
    }
}
