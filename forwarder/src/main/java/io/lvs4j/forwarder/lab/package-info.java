/**
 * The seed's lab in network namespaces, for the demo, the lab tests and the benchmarks: a client, a director, two
 * real servers answering HTTP with their name, on Linux bridges in a namespace of their own, for DR, NAT (one- or
 * two-armed) and TUN; clients, captures and servers to drive it. Needs root and iproute2; everything it builds
 * carries a unique prefix and is removed on close, by a shutdown hook, or by the next run after a crash.
 * Lab addresses come from the documentation ranges only, and no namespace gets a route to the host.
 */
package io.lvs4j.forwarder.lab;
