package io.lvs4j.forwarder.sync;

/**
 * Why a sync datagram, or one entry of it, was not applied. Each is counted in {@link SyncStats}; none ever
 * stops the receiver. The first group rejects the whole datagram (nothing of it is applied), the second one
 * entry (the rest of the datagram is applied), as {@code ip_vs_process_message} and {@code
 * ip_vs_proc_sync_conn} distinguish them.
 */
public enum SyncDropReason
{
    /** Shorter than the smallest header (4 bytes). */
    TOO_SHORT,
    /** The header's size is not the datagram's length ("bogus message size"). */
    SIZE_MISMATCH,
    /** The syncid differs from ours while ours is not 0. */
    WRONG_SYNCID,
    /** An entry runs past the end of the datagram, or the count announces more entries than there are. */
    COUNT_EXCEEDS_DATA,
    /** Bytes are left after the announced number of entries. */
    COUNT_BELOW_DATA,
    /** An entry's version (top 4 bits of ver_size) is not 0. */
    BAD_ENTRY_VERSION,
    /** An entry's length is smaller than its fixed part. */
    BAD_ENTRY_LENGTH,
    /** An option has length 0, overruns its entry, has the wrong length or appears twice. */
    BAD_OPTION,

    /** Per entry: an unknown mandatory option (type without bit 6). */
    UNKNOWN_OPTION,
    /** Per entry: a protocol we do not synchronise. */
    UNSUPPORTED_PROTOCOL,
    /** Per entry: a state the protocol does not have. */
    INVALID_STATE,
    /** Per entry: no service and real server of ours matches the entry's VIP, port and destination. */
    NO_DESTINATION,
    /** Per entry: the connection table refused it (full). */
    TABLE_FULL
}
