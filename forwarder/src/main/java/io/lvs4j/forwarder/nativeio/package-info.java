/**
 * The small native layer under the forwarder's channels: libc through JNA direct mapping ({@link
 * io.lvs4j.forwarder.nativeio.LibC}), interface queries, joining network namespaces per thread, and tun devices.
 * Nothing here is called per packet except the batched calls the channels make once per batch.
 */
package io.lvs4j.forwarder.nativeio;
