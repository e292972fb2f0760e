package io.lvs4j.forwarder.channel.afpacket;

/**
 * A classic BPF interpreter for tests, written from the BPF opcode table independently of {@link BpfProgram}'s
 * builder: it runs a program over a frame the way the kernel does (out-of-range loads drop the frame) and returns
 * how many bytes the program keeps.
 */
final class BpfInterpreter
{
    private BpfInterpreter()
    {
    }

    static int run(final BpfProgram program, final byte[] frame)
    {
        int a = 0;
        int x = 0;
        int pc = 0;
        for (int steps = 0; steps < 100_000; steps++)
        {
            final int code = program.code(pc);
            final int k = program.k(pc);
            final int cls = code & 0x07;
            switch (cls)
            {
                case 0x00: // LD
                {
                    final int mode = code & 0xE0;
                    final int size = code & 0x18;
                    if (mode == 0x80)
                    {
                        a = frame.length;
                    }
                    else if (mode == 0x00)
                    {
                        a = k;
                    }
                    else
                    {
                        final long at = (mode == 0x40 ? x & 0xFFFF_FFFFL : 0) + (k & 0xFFFF_FFFFL);
                        final int bytes = size == 0x00 ? 4 : size == 0x08 ? 2 : 1;
                        if (at + bytes > frame.length)
                        {
                            return 0;
                        }
                        a = 0;
                        for (int i = 0; i < bytes; i++)
                        {
                            a = (a << 8) | (frame[(int)at + i] & 0xFF);
                        }
                    }
                    pc++;
                    break;
                }
                case 0x01: // LDX
                    if (code == BpfProgram.LDX_B_MSH)
                    {
                        if (k >= frame.length)
                        {
                            return 0;
                        }
                        x = 4 * (frame[k] & 0x0F);
                    }
                    else if (code == 0x01)
                    {
                        x = k;
                    }
                    else
                    {
                        throw new IllegalStateException("unsupported LDX 0x" + Integer.toHexString(code));
                    }
                    pc++;
                    break;
                case 0x04: // ALU, constant operand only
                    switch (code & 0xF0)
                    {
                        case 0x00 -> a += k;
                        case 0x10 -> a -= k;
                        case 0x40 -> a |= k;
                        case 0x50 -> a &= k;
                        case 0x60 -> a <<= k;
                        case 0x70 -> a >>>= k;
                        default -> throw new IllegalStateException("unsupported ALU 0x" + Integer.toHexString(code));
                    }
                    pc++;
                    break;
                case 0x05: // JMP
                {
                    if ((code & 0xF0) == 0x00)
                    {
                        pc += 1 + k;
                        break;
                    }
                    final int operand = (code & 0x08) != 0 ? x : k;
                    final boolean taken = switch (code & 0xF0)
                    {
                        case 0x10 -> a == operand;
                        case 0x20 -> Integer.compareUnsigned(a, operand) > 0;
                        case 0x30 -> Integer.compareUnsigned(a, operand) >= 0;
                        case 0x40 -> (a & operand) != 0;
                        default -> throw new IllegalStateException("unsupported JMP 0x" + Integer.toHexString(code));
                    };
                    pc += 1 + (taken ? program.jt(pc) : program.jf(pc));
                    break;
                }
                case 0x06: // RET
                    return (code & 0x18) == 0x10 ? a : k;
                default:
                    throw new IllegalStateException("unsupported class 0x" + Integer.toHexString(code));
            }
            if (pc >= program.length())
            {
                throw new IllegalStateException("ran off the end of the program");
            }
        }
        throw new IllegalStateException("no return");
    }
}
