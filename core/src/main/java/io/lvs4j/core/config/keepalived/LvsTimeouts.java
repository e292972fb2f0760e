package io.lvs4j.core.config.keepalived;

/**
 * {@code lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]}: what {@code ipvsadm --set} would set; 0 leaves a
 * timeout as it is.
 *
 * @param tcpS    established TCP connections, seconds.
 * @param tcpFinS TCP connections after FIN, seconds.
 * @param udpS    UDP, seconds.
 */
public record LvsTimeouts(int tcpS, int tcpFinS, int udpS)
{
}
