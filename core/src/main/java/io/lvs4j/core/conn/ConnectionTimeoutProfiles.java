package io.lvs4j.core.conn;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Up to 256 timeout sets, indexed by a byte stored in each connection entry. Profile 0 is IPVS's defaults.
 * The control plane registers a set per service that overrides them; workers read with a plain volatile
 * array load, never a lock.
 */
public final class ConnectionTimeoutProfiles
{
    /** Number of profiles an entry can refer to. */
    public static final int MAX_PROFILES = 256;
    /** The profile holding IPVS's defaults. */
    public static final int DEFAULT_PROFILE = 0;

    private final AtomicReferenceArray<ConnectionTimeouts> profiles = new AtomicReferenceArray<>(MAX_PROFILES);

    /** Creates the registry with IPVS's defaults as profile 0 and every other profile unset (falls back to 0). */
    public ConnectionTimeoutProfiles()
    {
        profiles.set(DEFAULT_PROFILE, ConnectionTimeouts.IPVS_DEFAULTS);
    }

    /**
     * Sets a profile (control plane only).
     *
     * @param profile  0..255.
     * @param timeouts the set.
     */
    public void set(final int profile, final ConnectionTimeouts timeouts)
    {
        if (profile < 0 || profile >= MAX_PROFILES || timeouts == null)
        {
            throw new IllegalArgumentException("profile " + profile);
        }
        profiles.set(profile, timeouts);
    }

    /**
     * The idle timeout for a state under a profile.
     *
     * @param profile a profile index; unset profiles fall back to the defaults.
     * @param state   a {@link TcpState} code.
     * @return milliseconds.
     */
    public long timeoutMs(final int profile, final int state)
    {
        ConnectionTimeouts t = profiles.get(profile & 0xFF);
        if (t == null)
        {
            t = profiles.get(DEFAULT_PROFILE);
        }
        return t.timeoutMs(state);
    }

    /**
     * The set of a profile.
     *
     * @param profile a profile index.
     * @return the set, or the defaults when unset.
     */
    public ConnectionTimeouts get(final int profile)
    {
        final ConnectionTimeouts t = profiles.get(profile & 0xFF);
        return t != null ? t : profiles.get(DEFAULT_PROFILE);
    }
}
