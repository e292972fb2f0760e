package io.lvs4j.forwarder.admin;

import java.util.List;

/**
 * Runs one admin command line against a running director (an {@code ipvsadm} invocation, a reload) and answers
 * as a command-line tool would: exit code, standard output, standard error.
 */
@FunctionalInterface
public interface AdminCommand
{
    /**
     * Runs a command.
     *
     * @param argv the arguments, as the client's command line had them.
     * @return what the tool would have printed and its exit code.
     */
    AdminResponse execute(List<String> argv);
}
