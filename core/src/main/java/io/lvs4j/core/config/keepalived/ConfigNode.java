package io.lvs4j.core.config.keepalived;

import java.util.ArrayList;
import java.util.List;

/**
 * One statement of the configuration: a keyword, the rest of its line, and its {@code { }} block if it has one.
 * The tree is what keepalived's {@code install_keyword}/{@code install_sublevel} tables walk; building it first
 * lets brace errors be reported once, where they are, before any keyword is interpreted.
 */
final class ConfigNode
{
    final Token keyword;
    final List<Token> args;
    final List<ConfigNode> children;
    final Token openBrace;

    private ConfigNode(final Token keyword, final List<Token> args, final List<ConfigNode> children,
        final Token openBrace)
    {
        this.keyword = keyword;
        this.args = args;
        this.children = children;
        this.openBrace = openBrace;
    }

    String name()
    {
        return keyword.text;
    }

    boolean hasBlock()
    {
        return children != null;
    }

    Token arg(final int i)
    {
        return i < args.size() ? args.get(i) : null;
    }

    /** The position just after the keyword's line, for "expected a value" messages. */
    Token end()
    {
        return args.isEmpty() ? keyword : args.get(args.size() - 1);
    }

    /**
     * Builds the statement tree. A statement is a keyword and the words after it on its line; a {@code {} on the
     * same line or alone at the start of the next statement opens its block (keepalived allows both).
     *
     * @param tokens   the token stream of all files, includes spliced in.
     * @param problems where brace errors go.
     * @return the top-level statements.
     */
    static List<ConfigNode> parse(final List<Token> tokens, final Problems problems)
    {
        final int[] pos = {0};
        return sequence(tokens, pos, null, problems);
    }

    private static List<ConfigNode> sequence(
        final List<Token> tokens, final int[] pos, final Token open, final Problems problems)
    {
        final List<ConfigNode> nodes = new ArrayList<>();
        while (pos[0] < tokens.size())
        {
            final Token t = tokens.get(pos[0]);
            if (t.isClose())
            {
                pos[0]++;
                if (open != null)
                {
                    return nodes;
                }
                problems.error(t, "unexpected '}': no block is open here");
                continue;
            }
            if (t.isOpen())
            {
                pos[0]++;
                final int last = nodes.size() - 1;
                if (last >= 0 && !nodes.get(last).hasBlock())
                {
                    // the brace on the line after its keyword, as keepalived accepts
                    final ConfigNode prev = nodes.get(last);
                    nodes.set(last, new ConfigNode(prev.keyword, prev.args, sequence(tokens, pos, t, problems), t));
                }
                else
                {
                    problems.error(t, "unexpected '{': no keyword before it takes this block");
                    sequence(tokens, pos, t, problems);
                }
                continue;
            }
            pos[0]++;
            final List<Token> args = new ArrayList<>();
            while (pos[0] < tokens.size() && !tokens.get(pos[0]).startsLine && !tokens.get(pos[0]).isBrace())
            {
                args.add(tokens.get(pos[0]++));
            }
            List<ConfigNode> children = null;
            Token brace = null;
            if (pos[0] < tokens.size() && tokens.get(pos[0]).isOpen() && !tokens.get(pos[0]).startsLine)
            {
                brace = tokens.get(pos[0]++);
                children = sequence(tokens, pos, brace, problems);
            }
            nodes.add(new ConfigNode(t, List.copyOf(args), children == null ? null : List.copyOf(children), brace));
        }
        if (open != null)
        {
            problems.error(open, "unbalanced '{': the block opened here is not closed before the end of the input");
        }
        return nodes;
    }
}
