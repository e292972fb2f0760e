/**
 * lvs4j examples module.
 */
package io.lvs4j.examples;
