package io.lvs4j.forwarder.check;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * DNS_CHECK: one query (recursion desired, class IN); passes on a reply with the same id, QR set and RCODE 0.
 * Replies with another id are ignored (a late answer to an earlier query), the wait goes on.
 */
final class DnsProbe extends DatagramProbe
{
    private static final String[] RCODES = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};

    private final DnsCheckSpec spec;
    private final int id = ThreadLocalRandom.current().nextInt(0x10000);

    DnsProbe(final HealthChecker host, final Checker checker, final DnsCheckSpec spec, final RealServerRef rs)
    {
        super(host, checker, spec.endpoint().target(rs), spec.endpoint().bindTo());
        this.spec = spec;
    }

    byte[] request()
    {
        return query(id, spec.name(), DnsCheckSpec.typeCode(spec.queryType()));
    }

    /**
     * @param id   the query id.
     * @param name the name.
     * @param type the type code.
     * @return a standard query for it.
     */
    static byte[] query(final int id, final String name, final int type)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(id >>> 8);
        out.write(id);
        out.write(0x01); // RD
        out.write(0x00);
        out.write(0);
        out.write(1); // QDCOUNT
        out.writeBytes(new byte[6]);
        for (final String label : name.split("\\."))
        {
            if (!label.isEmpty())
            {
                final byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
                out.write(bytes.length);
                out.writeBytes(bytes);
            }
        }
        out.write(0);
        out.write(type >>> 8);
        out.write(type);
        out.write(0);
        out.write(1); // IN
        return out.toByteArray();
    }

    void onDatagram(final byte[] data, final int length)
    {
        if (length < 12 || ((data[0] & 0xFF) << 8 | (data[1] & 0xFF)) != id || (data[2] & 0x80) == 0)
        {
            return;
        }
        final int rcode = data[3] & 0x0F;
        final int answers = (data[6] & 0xFF) << 8 | (data[7] & 0xFF);
        if (rcode != 0)
        {
            fail("DNS rcode " + (rcode < RCODES.length ? RCODES[rcode] : String.valueOf(rcode)));
            return;
        }
        pass("NOERROR, " + answers + " answers");
    }
}
