package io.lvs4j.schedulers;

import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

import java.util.Arrays;

/**
 * Base of the hashing schedulers (dh, sh, mh, maglev): each derives a lookup table of a fixed size from the list and
 * publishes the list and the table together in one volatile write, so a pick sees both from the same update.
 * <p>
 * The algorithms stay in the subclasses; this class only holds the published {@link Snapshot} and answers
 * {@link #servers()}, {@link #toString()} and the tests' {@link #tableSnapshot()} for all of them.
 *
 * @param <S> what a subclass publishes: a {@link ServerTable}, a {@link PositionTable} or one extending them.
 */
abstract class TableScheduler<S extends TableScheduler.Snapshot> implements Scheduler
{
    /** List position of an empty slot, or of every slot before the first table. */
    static final int EMPTY = -1;

    private final int tableSize;
    private volatile S state;

    /**
     * @param tableSize slots in the table, for {@link #tableSnapshot()} when there is no table yet.
     * @param empty     what picks see before the first update: no list, no table.
     */
    TableScheduler(final int tableSize, final S empty)
    {
        this.tableSize = tableSize;
        this.state = empty;
    }

    /**
     * @return the slots in the table.
     */
    final int tableSize()
    {
        return tableSize;
    }

    /**
     * @return the snapshot last published; a pick reads it once and uses only that.
     */
    final S state()
    {
        return state;
    }

    /**
     * Makes a snapshot the one picks see from now.
     *
     * @param state the list and the table derived from it.
     */
    final void publish(final S state)
    {
        this.state = state;
    }

    /** {@inheritDoc} */
    @Override
    public final RealServerList servers()
    {
        return state.list;
    }

    /**
     * A copy of the table as list positions, {@link #EMPTY} for an empty slot and everywhere while there is no
     * table, for tests.
     *
     * @return positions by slot, {@link #tableSize()} of them.
     */
    final int[] tableSnapshot()
    {
        final S s = state;
        final int[] positions = new int[tableSize];
        Arrays.fill(positions, EMPTY);
        s.copyPositions(positions);
        return positions;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return name() + " " + state.list;
    }

    /**
     * A list and what a scheduler derived from it, immutable once published.
     */
    abstract static class Snapshot
    {
        /** The list the table was built from; null before the first update. */
        final RealServerList list;

        Snapshot(final RealServerList list)
        {
            this.list = list;
        }

        /**
         * Writes the table's list positions into {@code positions}; leaves it as it is when there is no table.
         *
         * @param positions one entry per slot, filled with {@link #EMPTY}.
         */
        abstract void copyPositions(int[] positions);
    }

    /**
     * A table of the servers themselves (dh, sh): a pick reads its server without going through the list.
     */
    static final class ServerTable extends Snapshot
    {
        /** The server of each bucket; null when the list is empty. */
        final RealServer[] table;

        ServerTable(final RealServerList list, final RealServer[] table)
        {
            super(list);
            this.table = table;
        }

        @Override
        void copyPositions(final int[] positions)
        {
            if (table != null)
            {
                for (int i = 0; i < table.length; i++)
                {
                    positions[i] = list.indexOf(table[i].id());
                }
            }
        }
    }

    /**
     * A table of list positions (mh, maglev), {@link #EMPTY} for a slot no server claimed.
     */
    static class PositionTable extends Snapshot
    {
        /** The list position of each slot; null when there is no table. */
        final int[] table;

        PositionTable(final RealServerList list, final int[] table)
        {
            super(list);
            this.table = table;
        }

        @Override
        final void copyPositions(final int[] positions)
        {
            if (table != null)
            {
                System.arraycopy(table, 0, positions, 0, table.length);
            }
        }
    }
}
