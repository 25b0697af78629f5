/**
 * The suite's checksums: `checksum` compares results, in which a NaN's bits are not part of the
 * value (engines and JIT tiers may store any NaN pattern); `bitsChecksum` proves memory unchanged,
 * bit for bit. Signed zeros are values in both.
 */
import { describe, expect, it } from 'vitest';
import { bitsChecksum, checksum } from '../src/compare.js';

describe('checksums', () => {
  it('checksum reads every NaN alike, in float64 and float32, and keeps everything else bit for bit', () => {
    const a = new Float64Array([1, NaN, -0]);
    const b = new Float64Array(3);
    new DataView(b.buffer).setFloat64(0, 1, true);
    const bits = new Uint32Array(b.buffer);
    bits[2] = 1; bits[3] = 0xfff80000; // a negative NaN with a payload, set through its bits
    b[2] = -0;
    expect(Number.isNaN(b[1])).toBe(true);
    expect(checksum(b)).toBe(checksum(a));
    expect(bitsChecksum(b)).not.toBe(bitsChecksum(a));
    expect(checksum(new Float64Array([1, NaN, 0]))).not.toBe(checksum(a)); // +0 and −0 differ
    const f = new Float32Array([NaN, 2]);
    const g = new Float32Array([0, 2]);
    new Uint32Array(g.buffer)[0] = 0xffc00001;
    expect(checksum(g)).toBe(checksum(f));
    expect(bitsChecksum(g)).not.toBe(bitsChecksum(f));
  });

  it('both say how many elements they hashed', () => {
    expect(checksum(new Float32Array(5))).toMatch(/^5:/);
    expect(bitsChecksum(new Float64Array(7))).toMatch(/^7:/);
  });
});
