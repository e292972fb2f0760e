/**
 * Internet checksums (RFC 1071 one's-complement sums, full and RFC 1624 incremental) and the SCTP CRC-32C, computed
 * over Agrona buffers without allocation.
 */
package io.lvs4j.core.checksum;
