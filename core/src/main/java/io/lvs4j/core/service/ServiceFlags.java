package io.lvs4j.core.service;

/**
 * Virtual service flags with the kernel's bit values ({@code IP_VS_SVC_F_*}, uapi {@code ip_vs.h}), so that
 * saved rules, sync messages and the admin output keep their meaning.
 */
public final class ServiceFlags
{
    /** Persistent service ({@code -p}): connections of one client network share a real server. */
    public static final int PERSISTENT = 0x0001;
    /** Internal: the service is hashed in a service table. */
    public static final int HASHED = 0x0002;
    /** One-packet scheduling ({@code -o}): every UDP datagram is scheduled on its own. */
    public static final int ONEPACKET = 0x0004;
    /** Scheduler flag 1: {@code sh-fallback} for sh, {@code mh-fallback} for mh. */
    public static final int SCHED1 = 0x0008;
    /** Scheduler flag 2: {@code sh-port} for sh, {@code mh-port} for mh. */
    public static final int SCHED2 = 0x0010;
    /** Scheduler flag 3: unused by the kernel's schedulers, kept for round trips. */
    public static final int SCHED3 = 0x0020;

    /** Alias of {@link #SCHED1} for the sh scheduler. */
    public static final int SH_FALLBACK = SCHED1;
    /** Alias of {@link #SCHED2} for the sh scheduler. */
    public static final int SH_PORT = SCHED2;
    /** Alias of {@link #SCHED1} for the mh scheduler. */
    public static final int MH_FALLBACK = SCHED1;
    /** Alias of {@link #SCHED2} for the mh scheduler. */
    public static final int MH_PORT = SCHED2;

    private ServiceFlags()
    {
    }
}
