/**
 * Traffic statistics as IPVS keeps them: the five counters per service and per real server, and the rate
 * estimator that turns them into the connections-, packets- and bytes-per-second figures {@code ipvsadm --rate}
 * shows, with the kernel's fixed-point arithmetic so that the figures match the kernel's for the same traffic.
 */
package io.lvs4j.core.stats;
