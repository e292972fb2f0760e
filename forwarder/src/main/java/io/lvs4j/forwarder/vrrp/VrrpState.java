package io.lvs4j.forwarder.vrrp;

/**
 * The states of a virtual router (RFC 5798 §6.4, plus keepalived's FAULT and STOP).
 */
public enum VrrpState
{
    /** Not started, or stopped. */
    INIT,
    /** Watching the master's adverts, ready to take over. */
    BACKUP,
    /** Owning the virtual addresses and advertising. */
    MASTER,
    /** A tracked object with weight 0 is down: neither advertising nor taking over (keepalived). */
    FAULT
}
