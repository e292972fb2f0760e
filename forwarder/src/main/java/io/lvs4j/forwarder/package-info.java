/**
 * lvs4j forwarder module.
 */
package io.lvs4j.forwarder;
