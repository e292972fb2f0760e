/**
 * lvs4j bench module.
 */
package io.lvs4j.bench;
