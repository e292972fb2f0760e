/**
 * lvs4j schedulers module.
 */
package io.lvs4j.schedulers;
