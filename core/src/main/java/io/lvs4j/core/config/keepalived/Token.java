package io.lvs4j.core.config.keepalived;

/**
 * One word of a configuration line after comments, conditional prefixes and parameters were dealt with, with
 * where it came from for messages.
 */
final class Token
{
    final String text;
    final boolean quoted;
    final String file;
    final int line;
    final int column;
    final boolean startsLine;

    Token(final String text, final boolean quoted, final String file, final int line, final int column,
        final boolean startsLine)
    {
        this.text = text;
        this.quoted = quoted;
        this.file = file;
        this.line = line;
        this.column = column;
        this.startsLine = startsLine;
    }

    boolean isOpen()
    {
        return !quoted && "{".equals(text);
    }

    boolean isClose()
    {
        return !quoted && "}".equals(text);
    }

    boolean isBrace()
    {
        return isOpen() || isClose();
    }

    @Override
    public String toString()
    {
        return file + ':' + line + ':' + column + ' ' + text;
    }
}
