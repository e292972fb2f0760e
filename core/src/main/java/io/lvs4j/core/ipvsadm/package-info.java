/**
 * The {@code ipvsadm} (1.31) command language and its output, as pure computation: the argv parser with
 * ipvsadm's validation and error texts ({@link io.lvs4j.core.ipvsadm.IpvsadmCommandLine}), the state it lists
 * ({@link io.lvs4j.core.ipvsadm.IpvsSnapshot}), the listings byte for byte
 * ({@link io.lvs4j.core.ipvsadm.IpvsadmListing}), and the save/restore format
 * ({@link io.lvs4j.core.ipvsadm.IpvsadmSave}, {@link io.lvs4j.core.ipvsadm.IpvsadmRestore}).
 * <p>
 * Nothing here resolves names or reads files: host and service names go through an
 * {@link io.lvs4j.core.ipvsadm.IpvsadmResolver}, numeric by default.
 */
package io.lvs4j.core.ipvsadm;
