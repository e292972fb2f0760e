/**
 * A {@link io.lvs4j.core.conn.ConnectionTable} kept in a Chronicle Map persisted to a file, so that a restarted
 * director re-attaches to its connections and another process can list them. See
 * {@link io.lvs4j.core.conn.chronicle.ChronicleConnectionTable}.
 */
package io.lvs4j.core.conn.chronicle;
