package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * {@code authentication { auth_type PASS|AH; auth_pass <≤8 chars> }} (RFC 2338 legacy, VRRPv2 only).
 *
 * @param type     PASS or AH.
 * @param password the password, at most 8 characters (longer ones are cut, as keepalived does).
 */
public record VrrpAuthentication(Type type, String password)
{
    /** The authentication types. */
    public enum Type
    {
        /** Simple text password. */
        PASS,
        /** IPSEC AH. */
        AH
    }

    /**
     * Checks the fields.
     *
     * @param type     type.
     * @param password password.
     */
    public VrrpAuthentication
    {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(password, "password");
        if (password.length() > 8)
        {
            throw new IllegalArgumentException("auth_pass longer than 8 characters");
        }
    }
}
