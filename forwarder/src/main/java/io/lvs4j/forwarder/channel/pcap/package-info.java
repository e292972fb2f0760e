/**
 * Frame channels over libpcap through pcap4j: {@link io.lvs4j.forwarder.channel.pcap.PcapLiveChannel}, the
 * portable live alternative to AF_PACKET rings, and {@link io.lvs4j.forwarder.channel.pcap.PcapFileChannel},
 * which replays a capture file and writes what the director sends to another one.
 * <p>
 * Neither is zero-copy or batched at the system-call level: pcap4j hands every frame over as a fresh
 * {@code byte[]} and libpcap sends one frame per call. They are for portability, tests, tools and offline
 * replay, not for the hot path.
 */
package io.lvs4j.forwarder.channel.pcap;
