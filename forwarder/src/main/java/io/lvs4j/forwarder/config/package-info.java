/**
 * Runs a keepalived.conf's LVS part on an lvs4j {@link io.lvs4j.forwarder.Director}: virtual servers become
 * services, real servers and their checkers go to one {@link io.lvs4j.forwarder.check.HealthChecker} on a thread of
 * its own, and the checks' decisions become the director's edits, as keepalived's healthchecker process drives IPVS.
 */
package io.lvs4j.forwarder.config;
