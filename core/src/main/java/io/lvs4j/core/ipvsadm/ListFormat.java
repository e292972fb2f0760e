package io.lvs4j.core.ipvsadm;

/**
 * How {@code ipvsadm -L} lists (its {@code FMT_*} flags): the options that change a listing's content or layout.
 * For the layout, the first of {@link #STATS}, {@link #RATE}, {@link #THRESHOLDS}, {@link #PERSISTENT_CONN},
 * {@link #TUN_INFO} present wins, as in ipvsadm.
 */
public enum ListFormat
{
    /** {@code -n}: numeric addresses and ports, no resolver. */
    NUMERIC,
    /** {@code --stats}: the five counters. */
    STATS,
    /** {@code --rate}: the five rates. */
    RATE,
    /** {@code --thresholds}: upper and lower connection thresholds. */
    THRESHOLDS,
    /** {@code --persistent-conn}: persistence templates per real server (and pe columns in {@code -c}). */
    PERSISTENT_CONN,
    /** {@code --nosort}: the director's order instead of ipvsadm's sort. */
    NOSORT,
    /** {@code -X / --exact}: whole numbers instead of K/M/G/T in {@code --stats} and {@code --rate}. */
    EXACT,
    /** {@code --tun-info}: tunnel type, port and checksum flags of each real server. */
    TUN_INFO
}
