/**
 * keepalived's configuration language, parsed into an immutable model: the lexer (comments, quotes,
 * {@code include} globs, {@code $NAME} parameters, {@code @id} conditional lines), the keyword grammar of
 * {@code global_defs}, {@code virtual_server_group}, {@code virtual_server} with its real servers and health
 * checkers, {@code vrrp_script}, {@code vrrp_instance} and {@code vrrp_sync_group}, with keepalived's defaults
 * and inheritance (virtual server values are defaults for real servers, real server values for checkers).
 * <p>
 * Problems carry file, line and column; unknown keywords are warnings as in keepalived, broken structure and bad
 * values are errors, and one pass reports all of them. {@link io.lvs4j.core.config.keepalived.ConfigCheck} is the
 * {@code keepalived -t} of this package, {@link io.lvs4j.core.config.keepalived.ServiceModelMapping} turns the
 * model into the service model the director runs. Pure computation apart from reading the configuration files.
 */
package io.lvs4j.core.config.keepalived;
