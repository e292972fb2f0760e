/**
 * The service model the schedulers and the forwarder share: real servers as immutable values, a service's
 * real-server list as an immutable snapshot in the kernel's newest-first order, and the service flags.
 * Snapshots are built by the control plane and swapped atomically; workers only read them.
 */
package io.lvs4j.core.service;
