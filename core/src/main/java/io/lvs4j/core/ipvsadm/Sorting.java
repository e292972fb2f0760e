package io.lvs4j.core.ipvsadm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;

/**
 * ipvsadm's sort order (libipvs {@code ipvs_cmp_services}, {@code ipvs_cmp_dests}) run through glibc's
 * {@code qsort}, which is a merge sort. The comparisons subtract 32-bit host-order values into an {@code int},
 * so addresses 2^31 or more apart compare "wrapped" (200.0.0.1 before 10.0.0.1) and the order is not a total
 * one; the same merge sort over the same comparisons gives the same output, where a library sort would give
 * another order or refuse the comparator.
 */
final class Sorting
{
    private static final int LINUX_AF_INET = 2;
    private static final int LINUX_AF_INET6 = 10;

    private Sorting()
    {
    }

    /**
     * The protocol the kernel holds for a service: a fwmark service carries the TCP that ipvsadm sets for it.
     *
     * @param service the service.
     * @return its protocol number as the kernel lists it.
     */
    static int listedProtocol(final VirtualService service)
    {
        return service.fwmark() != 0 ? IpProtocol.TCP : service.protocol();
    }

    private static int linuxFamily(final int family)
    {
        return family == FlowKey.AF_INET6 ? LINUX_AF_INET6 : LINUX_AF_INET;
    }

    /** The i-th 32-bit word of the kernel's {@code union nf_inet_addr}, host order. */
    private static int word(final int family, final long hi, final long lo, final int i)
    {
        if (family != FlowKey.AF_INET6)
        {
            return i == 0 ? (int)lo : 0;
        }
        switch (i)
        {
            case 0: return (int)(hi >>> 32);
            case 1: return (int)hi;
            case 2: return (int)(lo >>> 32);
            default: return (int)lo;
        }
    }

    private static int compareAddresses(
        final int family1, final long hi1, final long lo1, final int family2, final long hi2, final long lo2)
    {
        int r = 0;
        if (family1 == FlowKey.AF_INET6)
        {
            for (int i = 0; r == 0 && i < 4; i++)
            {
                r = word(family1, hi1, lo1, i) - word(family2, hi2, lo2, i);
            }
        }
        else
        {
            r = word(family1, hi1, lo1, 0) - word(family2, hi2, lo2, 0);
        }
        return r;
    }

    static final Comparator<ServiceEntry> SERVICES = (e1, e2) ->
    {
        final VirtualService s1 = e1.service();
        final VirtualService s2 = e2.service();
        int r = s1.fwmark() - s2.fwmark();
        if (r != 0)
        {
            return r;
        }
        r = linuxFamily(s1.family()) - linuxFamily(s2.family());
        if (r != 0)
        {
            return r;
        }
        r = listedProtocol(s1) - listedProtocol(s2);
        if (r != 0)
        {
            return r;
        }
        r = compareAddresses(s1.family(), s1.addressHi(), s1.addressLo(), s2.family(), s2.addressHi(),
            s2.addressLo());
        if (r != 0)
        {
            return r;
        }
        return s1.port() - s2.port();
    };

    static final Comparator<DestinationEntry> DESTINATIONS = (e1, e2) ->
    {
        final RealServer d1 = e1.server();
        final RealServer d2 = e2.server();
        final int r = compareAddresses(d1.family(), d1.addressHi(), d1.addressLo(), d2.family(), d2.addressHi(),
            d2.addressLo());
        if (r != 0)
        {
            return r;
        }
        return d1.port() - d2.port();
    };

    /**
     * glibc's {@code msort_with_tmp}: split in halves (the first {@code n/2}), sort each, merge taking from the
     * first half while {@code cmp <= 0}.
     *
     * @param items      the items.
     * @param comparator the comparison.
     * @param <T>        item type.
     * @return a new list in glibc {@code qsort} order.
     */
    static <T> List<T> qsort(final List<T> items, final Comparator<? super T> comparator)
    {
        @SuppressWarnings("unchecked")
        final T[] b = (T[])items.toArray();
        @SuppressWarnings("unchecked")
        final T[] tmp = (T[])new Object[b.length];
        msort(b, 0, b.length, tmp, comparator);
        final List<T> sorted = new ArrayList<>(b.length);
        for (final T t : b)
        {
            sorted.add(t);
        }
        return sorted;
    }

    private static <T> void msort(final T[] b, final int from, final int n, final T[] tmp,
        final Comparator<? super T> comparator)
    {
        if (n <= 1)
        {
            return;
        }
        int n1 = n / 2;
        int n2 = n - n1;
        msort(b, from, n1, tmp, comparator);
        msort(b, from + n1, n2, tmp, comparator);
        int i = from;
        int j = from + n1;
        int k = 0;
        while (n1 > 0 && n2 > 0)
        {
            if (comparator.compare(b[i], b[j]) <= 0)
            {
                tmp[k++] = b[i++];
                n1--;
            }
            else
            {
                tmp[k++] = b[j++];
                n2--;
            }
        }
        while (n1 > 0)
        {
            tmp[k++] = b[i++];
            n1--;
        }
        System.arraycopy(tmp, 0, b, from, k);
    }
}
