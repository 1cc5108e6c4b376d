package caret.transport.sshd;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * {@link Poly1305} in Java, in radix 2^64: the accumulator is two 64-bit limbs and a few bits,
 * so one 16-byte block costs four 64x64-bit products with their high halves
 * ({@link Math#unsignedMultiplyHigh}, one instruction on x86-64 and AArch64), after OpenSSL's
 * {@code poly1305.c}. About 2 GB/s on this project's machine; {@link JdkPoly1305}, where it can be
 * reached, does 11.
 */
final class JavaPoly1305 implements Poly1305 {

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long r0;
    private long r1;
    private long s1;
    private long pad0;
    private long pad1;
    private long h0;
    private long h1;
    private long h2;
    /** A partial block waiting for more input. */
    private final byte[] block = new byte[16];
    private int blockLength;

    @Override
    public void init(byte[] key, int offset) {
        r0 = (long) LONG_LE.get(key, offset) & 0x0FFFFFFC0FFFFFFFL;
        r1 = (long) LONG_LE.get(key, offset + 8) & 0x0FFFFFFC0FFFFFFCL;
        s1 = r1 + (r1 >>> 2); // r1 * 5 / 4, exact: the clamp clears r1's low two bits
        pad0 = (long) LONG_LE.get(key, offset + 16);
        pad1 = (long) LONG_LE.get(key, offset + 24);
        h0 = 0;
        h1 = 0;
        h2 = 0;
        blockLength = 0;
    }

    @Override
    public void update(byte[] data, int offset, int length) {
        if (blockLength > 0) {
            int take = Math.min(length, 16 - blockLength);
            System.arraycopy(data, offset, block, blockLength, take);
            blockLength += take;
            offset += take;
            length -= take;
            if (blockLength < 16) {
                return;
            }
            blocks(block, 0, 16, 1);
            blockLength = 0;
        }
        int whole = length & ~15;
        if (whole > 0) {
            blocks(data, offset, whole, 1);
        }
        if (whole < length) {
            System.arraycopy(data, offset + whole, block, 0, length - whole);
            blockLength = length - whole;
        }
    }

    @Override
    public void finish(byte[] out, int offset) {
        if (blockLength > 0) {
            block[blockLength] = 1;
            for (int i = blockLength + 1; i < 16; i++) {
                block[i] = 0;
            }
            blocks(block, 0, 16, 0);
            blockLength = 0;
        }
        // h mod p: h + 5 carries into bit 130 exactly when h >= p = 2^130 - 5
        long g0 = h0 + 5;
        long c = carry(h0, g0);
        long g1 = h1 + c;
        c = carry(h1, g1);
        long g2 = h2 + c;
        long mask = -(g2 >>> 2);
        long t0 = (h0 & ~mask) | (g0 & mask);
        long t1 = (h1 & ~mask) | (g1 & mask);
        // tag = (h + s) mod 2^128
        long tag0 = t0 + pad0;
        long tag1 = t1 + pad1 + carry(t0, tag0);
        LONG_LE.set(out, offset, tag0);
        LONG_LE.set(out, offset + 8, tag1);
    }

    /** h = (h + m) * r, partially reduced, for each 16-byte block; {@code hibit} 1 for whole blocks. */
    private void blocks(byte[] data, int offset, int length, long hibit) {
        long r0 = this.r0;
        long r1 = this.r1;
        long s1 = this.s1;
        long h0 = this.h0;
        long h1 = this.h1;
        long h2 = this.h2;
        for (int end = offset + length; offset < end; offset += 16) {
            long m0 = (long) LONG_LE.get(data, offset);
            long m1 = (long) LONG_LE.get(data, offset + 8);
            // h += m
            long a0 = h0 + m0;
            long c = carry(h0, a0);
            long a1 = h1 + m1;
            long c1 = carry(h1, a1);
            long b1 = a1 + c;
            c1 += carry(a1, b1);
            h2 += c1 + hibit;
            h0 = a0;
            h1 = b1;

            // d0 = h0*r0 + h1*s1; d1 = h0*r1 + h1*r0 + h2*s1; d2 = h2*r0
            long lo00 = h0 * r0;
            long hi00 = Math.unsignedMultiplyHigh(h0, r0);
            long lo11 = h1 * s1;
            long hi11 = Math.unsignedMultiplyHigh(h1, s1);
            long d0lo = lo00 + lo11;
            long d0hi = hi00 + hi11 + carry(lo00, d0lo);

            long lo01 = h0 * r1;
            long hi01 = Math.unsignedMultiplyHigh(h0, r1);
            long lo10 = h1 * r0;
            long hi10 = Math.unsignedMultiplyHigh(h1, r0);
            long d1lo = lo01 + lo10;
            long d1hi = hi01 + hi10 + carry(lo01, d1lo);
            long e = h2 * s1;
            long d1lo2 = d1lo + e;
            d1hi += carry(d1lo, d1lo2);
            // d1 += d0 >> 64
            long d1lo3 = d1lo2 + d0hi;
            d1hi += carry(d1lo2, d1lo3);

            h0 = d0lo;
            h1 = d1lo3;
            h2 = h2 * r0 + d1hi;
            // fold the bits above 2^130 back in: 2^130 = 5 (mod p)
            long f = (h2 >>> 2) + (h2 & ~3L);
            h2 &= 3;
            long n0 = h0 + f;
            c = carry(h0, n0);
            long n1 = h1 + c;
            h2 += carry(h1, n1);
            h0 = n0;
            h1 = n1;
        }
        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
    }

    /**
     * The carry out of {@code sum = a + b} for any {@code b}, 0 or 1: {@code sum} wrapped below {@code a}. An unsigned compare, which C2 turns into a flag
     * test; the bit-twiddling form OpenSSL uses measured 1.8 GB/s here against 3.0.
     */
    private static long carry(long a, long sum) {
        return Long.compareUnsigned(sum, a) < 0 ? 1 : 0;
    }
}
