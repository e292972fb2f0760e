/**
 * lvs4j core module.
 */
package io.lvs4j.core;
