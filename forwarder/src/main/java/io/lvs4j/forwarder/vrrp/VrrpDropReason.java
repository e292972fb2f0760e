package io.lvs4j.forwarder.vrrp;

/**
 * Why a received VRRP frame was dropped: one counter each in {@link VrrpCounters}, so an operator can tell a
 * misconfigured peer (auth, interval, address list) from line noise (checksum, length).
 */
public enum VrrpDropReason
{
    /** Shorter than its headers, its IP total length, or its address count says. */
    TRUNCATED,
    /** Not a well-formed IPv4 header (IHL, header checksum). */
    IP_HEADER,
    /** VRRP over IPv6: not implemented by this engine. */
    UNSUPPORTED_FAMILY,
    /** TTL not 255 on a multicast advert (RFC 3768/5798 §7.1). */
    TTL,
    /** Version differs from the instance's. */
    VERSION,
    /** Type is not ADVERTISEMENT. */
    TYPE,
    /** Checksum wrong. */
    CHECKSUM,
    /** No instance with the advert's VRID on the interface it came in on. */
    UNKNOWN_VRID,
    /** v2 auth type differs from the instance's. */
    AUTH_TYPE,
    /** v2 PASS password differs. */
    AUTH_PASSWORD,
    /** The advert's address count differs from the instance's virtual_ipaddress count (keepalived drops it). */
    ADDRESS_COUNT,
    /** An address of the instance is missing from the advert (keepalived drops it). */
    ADDRESS_LIST,
    /** v2 advert interval differs from the instance's (RFC 3768 §7.1). */
    ADVERT_INTERVAL,
    /** Sent from one of our own addresses (a looped-back advert). */
    OWN_ADVERT,
    /** A unicast instance's advert from an address that is not one of its peers. */
    NOT_A_PEER,
    /** The instance is in FAULT (or stopped) and ignores adverts. */
    NOT_RUNNING
}
