#!/usr/bin/env python3
"""Independent re-implementation of the kernel's hsiphash (64-bit build: SipHash-1-3, low 32 bits) and of
ip_vs_mh.c's table build and lookup, written from lib/siphash.c and net/netfilter/ipvs/ip_vs_mh.c, not from the
Java code. It prints the numbers the Java tests hard-code (HsipHashTest, MaglevHashingSchedulerTest).

It also re-implements hash_32 (include/linux/hash.h, generic: val * GOLDEN_RATIO_32 >> (32 - bits)) and the dh/sh
bucket and probe arithmetic of the current ip_vs_dh.c/ip_vs_sh.c, printing the buckets that
DestinationHashingSchedulerTest and SourceHashingSchedulerTest hard-code:

    python3 ipvs_hash_reference.py dhsh

Self-checks: the kernel's own KUnit vectors (lib/tests/siphash_kunit.c, BITS_PER_LONG == 64) and CPython's
built-in bytes hash, which is SipHash-1-3 with a zero key under PYTHONHASHSEED=0 (CPython >= 3.11).

    PYTHONHASHSEED=0 python3 ipvs_hash_reference.py
"""
import os
import sys

MASK64 = (1 << 64) - 1


def rol(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK64


def sip_round(v):
    v0, v1, v2, v3 = v
    v0 = (v0 + v1) & MASK64; v1 = rol(v1, 13); v1 ^= v0; v0 = rol(v0, 32)
    v2 = (v2 + v3) & MASK64; v3 = rol(v3, 16); v3 ^= v2
    v0 = (v0 + v3) & MASK64; v3 = rol(v3, 21); v3 ^= v0
    v2 = (v2 + v1) & MASK64; v1 = rol(v1, 17); v1 ^= v2; v2 = rol(v2, 32)
    return [v0, v1, v2, v3]


def siphash13(k0, k1, data):
    """SipHash-1-3 over bytes with 64-bit key words, full 64-bit result."""
    v = [0x736f6d6570736575 ^ k0, 0x646f72616e646f6d ^ k1, 0x6c7967656e657261 ^ k0, 0x7465646279746573 ^ k1]
    n = len(data)
    full = n - n % 8
    for i in range(0, full, 8):
        m = int.from_bytes(data[i:i + 8], 'little')
        v[3] ^= m
        v = sip_round(v)
        v[0] ^= m
    b = ((n & 0xff) << 56) | int.from_bytes(data[full:], 'little')
    v[3] ^= b
    v = sip_round(v)
    v[0] ^= b
    v[2] ^= 0xff
    for _ in range(3):
        v = sip_round(v)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def hsiphash(k0, k1, data):
    return siphash13(k0, k1, data) & 0xffffffff


def hsiphash_u32(k0, k1, value):
    # the kernel hashes &v, sizeof(v) == 4, read little-endian on x86
    return hsiphash(k0, k1, (value & 0xffffffff).to_bytes(4, 'little'))


KERNEL_VECTORS = [
    0x050fc4dc, 0x7d57ca93, 0x4dc7d44d, 0xe7ddf7fb, 0x88d38328, 0x49533b67, 0xc59f22a7, 0x9bb11140,
    0x8d299a8e, 0x6c063de4, 0x92ff097f, 0xf94dc352, 0x57b4d9a2, 0x1229ffa7, 0xc0f95d34, 0x2a519956,
    0x7d908b66, 0x63dbd80c, 0xb473e63e, 0x8d297d1c, 0xa6cce040, 0x2b45f844, 0xa320872e, 0xdae6c123,
    0x67349c8c, 0x705b0979, 0xca9913a5, 0x4ade3b35, 0xef6cd00d, 0x4ab1e1f4, 0x43c5e663, 0x8c21d1bc,
    0x16a7b60d, 0x7a8ff9bf, 0x1f2a753e, 0xbf186b91, 0xada26206, 0xa3c33057, 0xae3a36a1, 0x7b108392,
    0x99e41531, 0x3f1ad944, 0xc8138825, 0xc28949a6, 0xfaf8876b, 0x9f042196, 0x68b1d623, 0x8b5114fd,
    0xdf074c46, 0x12cc86b3, 0x0a52098f, 0x9d292f9a, 0xa2f41f12, 0x43a71ed0, 0x73f0bce6, 0x70a7e980,
    0x243c6d75, 0xfdb71513, 0xa67d8a08, 0xb7e8f148, 0xf7a644ee, 0x0f1837f2, 0x4b6694e0, 0xb7bbb3a8,
]
TEST_K0 = 0x0706050403020100
TEST_K1 = 0x0f0e0d0c0b0a0908


def self_check():
    for n in range(64):
        got = hsiphash(TEST_K0, TEST_K1, bytes(range(n)))
        assert got == KERNEL_VECTORS[n], (n, hex(got))
    if os.environ.get('PYTHONHASHSEED') == '0' and sys.hash_info.algorithm == 'siphash13':
        for data in [b'a', b'abcd', b'0123456789abcdefXYZ']:
            expect = siphash13(0, 0, data)
            expect = expect - (1 << 64) if expect >= 1 << 63 else expect
            expect = -2 if expect == -1 else expect
            assert hash(data) == expect, data
        print('# checked against CPython siphash13')
    print('# checked against the 64 kernel hsiphash vectors')


# ---- ip_vs_mh.c ---------------------------------------------------------------------------------------------
PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071]
HASH1 = 2654435761
HASH2 = 2654446892


def mh_hashkey(addr_fold, port, key, offset):
    v = (offset + port + addr_fold) & 0xffffffff
    return hsiphash_u32(key, key, v)


def fls(x):
    return x.bit_length()


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def mh_build(dests, m):
    """dests: list of (addr_fold, port, last_weight) in list order; returns lookup as list positions, -1 empty."""
    tab_bits = (PRIMES.index(m) + 8) // 2
    g = 0
    for _, _, lw in dests:
        if lw > 0:
            g = gcd(lw, g) if g > 0 else lw
    if g < 1:
        return [-1] * m
    mw = max(lw for _, _, lw in dests) // g
    rshift = max(0, fls(mw) - tab_bits)
    setup = []
    for addr, port, lw in dests:
        offset = mh_hashkey(addr, port, HASH1, 0) % m
        skip = mh_hashkey(addr, port, HASH2, 0) % (m - 1) + 1
        turns = ((lw // g) >> rshift) or (1 if lw != 0 else 0)
        setup.append([offset, skip, offset, turns])
    lookup = [-1] * m
    used = [False] * m
    n = 0
    while n < m:
        i = 0
        dt = 0
        while i < len(dests):
            ds = setup[i]
            if ds[3] < 1:
                i += 1
                continue
            c = ds[2]
            while used[c]:
                ds[2] += ds[1]
                if ds[2] >= m:
                    ds[2] -= m
                c = ds[2]
            used[c] = True
            lookup[c] = i
            n += 1
            if n == m:
                return lookup
            dt += 1
            if dt >= ds[3]:
                dt = 0
                i += 1
    return lookup


def mh_lookup(lookup, m, usable, addr_fold, port, fallback):
    ihash = mh_hashkey(addr_fold, port, HASH1, 0) % m
    d = lookup[ihash]
    if d < 0:
        return -1
    if usable(d):
        return d
    if not fallback:
        return -1
    for off in range(m):
        roff = (off + ihash) % m
        h = mh_hashkey(addr_fold, port, HASH1, roff) % m
        d = lookup[h]
        if d < 0:
            break
        if usable(d):
            return d
    return -1


def ip(a, b, c, d):
    return (a << 24) | (b << 16) | (c << 8) | d


def java_int_array(values, per_line=30):
    lines = []
    for i in range(0, len(values), per_line):
        lines.append(', '.join(str(v) for v in values[i:i + per_line]))
    return ',\n'.join(lines)



# ---- ip_vs_dh.c / ip_vs_sh.c (current kernels: hash_32) ------------------------------------------------------
GOLDEN_RATIO_32 = 0x61C88647


def hash_32(value, bits):
    return ((value * GOLDEN_RATIO_32) & 0xffffffff) >> (32 - bits)


def dh_hashkey(addr_fold):
    # IP_VS_DH_TAB_BITS 8
    return hash_32(addr_fold & 0xffffffff, 8)


def sh_hashkey(addr_fold, port, offset, bits=8):
    return (offset + hash_32((port + addr_fold) & 0xffffffff, bits)) & ((1 << bits) - 1)


def sh_table(weights, size):
    """ip_vs_sh_reassign: list positions, each server weight consecutive buckets (at least one per lap)."""
    table, p, count = [], 0, 0
    for _ in range(size):
        table.append(p)
        count += 1
        if count >= weights[p]:
            p, count = (p + 1) % len(weights), 0
    return table


def sh_pick(weights, usable, addr_fold, port, fallback, bits=8):
    """ip_vs_sh_get / ip_vs_sh_get_fallback: (position or None, buckets probed)."""
    size = 1 << bits
    table = sh_table(weights, size)
    ihash = sh_hashkey(addr_fold, port, 0, bits)
    probed = [ihash]
    if usable(table[ihash]):
        return table[ihash], probed
    if not fallback:
        return None, probed
    for offset in range(size):
        roffset = (offset + ihash) % size
        h = sh_hashkey(addr_fold, port, roffset, bits)
        probed.append(h)
        if usable(table[h]):
            return table[h], probed
    return None, probed


def print_dh_sh():
    print('// dh: address -> 32-bit product, bucket (top 8 bits), bucket mod 3, bucket mod 2')
    v6_fold = 0x20010db8 ^ 0 ^ 0 ^ 5
    for a in [ip(10, 0, 0, 1), ip(10, 0, 0, 2), ip(10, 0, 0, 3), ip(10, 0, 0, 4), ip(203, 0, 113, 10), v6_fold, 5]:
        b = dh_hashkey(a)
        print('0x%08x -> 0x%08x bucket %d mod3 %d mod2 %d' % (a, (a * GOLDEN_RATIO_32) & 0xffffffff, b, b % 3, b % 2))
    print('\n// sh: client 198.51.100.x, port -> bucket (8 bits) mod 4, bucket (4 bits)')
    for x in range(1, 9):
        a = ip(198, 51, 100, x)
        b = sh_hashkey(a, 0, 0)
        print('.%d -> 0x%08x bucket %d mod4 %d bits4 %d bits20 %d' % (
            x, (a * GOLDEN_RATIO_32) & 0xffffffff, b, b % 4, sh_hashkey(a, 0, 0, 4), sh_hashkey(a, 0, 0, 20)))
    for port in [1, 2, 256, 1000]:
        b = sh_hashkey(ip(198, 51, 100, 1), port, 0)
        print('.1 port %d -> bucket %d mod4 %d' % (port, b, b % 4))
    print('.1 offset 200 -> %d' % sh_hashkey(ip(198, 51, 100, 1), 0, 200))
    print('\n// sh-fallback, weights 2 1 0 (C weight 0), B overloaded: client -> position, probed buckets')
    for x in [2, 3]:
        print('.%d -> %s' % (x, sh_pick([2, 1, 0], lambda d: d == 0, ip(198, 51, 100, x), 0, True)))
    print('// sh-fallback, weights 0 1 1 (position 0 quiesced)')
    for x in [1, 2, 5, 8]:
        print('.%d -> %s' % (x, sh_pick([0, 1, 1], lambda d: d != 0, ip(198, 51, 100, x), 0, True)))
    print('// sh-fallback, 4 bits, weights 3 2, position 1 overloaded')
    for x in [4, 6]:
        print('.%d -> %s' % (x, sh_pick([3, 2], lambda d: d == 0, ip(198, 51, 100, x), 0, True, 4)))

if __name__ == '__main__':
    if sys.argv[1:] == ['dhsh']:
        print_dh_sh()
        sys.exit(0)
    self_check()
    print('hsiphash_1u32(0x03020100, test key) = 0x%08x' % hsiphash_u32(TEST_K0, TEST_K1, 0x03020100))
    for v in [0, 1, 0xC0000201, 0xC0000201 + 80, 0xffffffff]:
        print('H1(0x%08x) = 0x%08x   H2 = 0x%08x' % (v, hsiphash_u32(HASH1, HASH1, v), hsiphash_u32(HASH2, HASH2, v)))

    # 3 servers 192.0.2.1..3 port 80, list order as given (index 0 = newest)
    three = [(ip(192, 0, 2, 1), 80, 1), (ip(192, 0, 2, 2), 80, 1), (ip(192, 0, 2, 3), 80, 1)]
    print('\n// mh M=251, 192.0.2.1:80 w1, 192.0.2.2:80 w1, 192.0.2.3:80 w1')
    t = mh_build(three, 251)
    print(java_int_array(t))
    print('counts', [t.count(i) for i in range(3)])

    weighted = [(ip(192, 0, 2, 1), 80, 1), (ip(192, 0, 2, 2), 80, 3)]
    print('\n// mh M=251, 192.0.2.1:80 w1, 192.0.2.2:80 w3')
    t2 = mh_build(weighted, 251)
    print(java_int_array(t2))
    print('counts', [t2.count(i) for i in range(2)])

    big = [(ip(192, 0, 2, 1), 80, 100), (ip(192, 0, 2, 2), 80, 1000), (ip(192, 0, 2, 3), 8080, 37)]
    print('\n// mh M=509, w 100, 1000, 37 (rshift path); 192.0.2.3 port 8080')
    t3 = mh_build(big, 509)
    print(java_int_array(t3))
    print('counts', [t3.count(i) for i in range(3)])

    # lookups on the 3-server table
    clients = [ip(198, 51, 100, 1), ip(198, 51, 100, 2), ip(203, 0, 113, 77), ip(10, 1, 2, 3)]
    print('\n// lookups on the 3-server M=251 table: client, port -> slot, position')
    for c in clients:
        for port in [0, 12345]:
            slot = mh_hashkey(c, port, HASH1, 0) % 251
            print('0x%08x port %d -> slot %d pos %d' % (c, port, slot, t[slot]))
    print('\n// fallback with position 0 unusable')
    for c in clients:
        print('0x%08x -> %d' % (c, mh_lookup(t, 251, lambda d: d != 0, c, 0, True)))
    print('\n// fallback with positions 0 and 1 unusable')
    for c in clients:
        print('0x%08x -> %d' % (c, mh_lookup(t, 251, lambda d: d == 2, c, 0, True)))
