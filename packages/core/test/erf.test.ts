import { describe, it, expect } from 'vitest';
import { ulpDiff } from './helpers/ulp.js';
import { readFileSync } from 'node:fs';
import { erf, erfc } from '../src/math/erf.js';

/*
 * Reference values in fixtures/erf-values.json are produced by
 * fixtures/gen-erf-values.py: the correctly rounded float64 erf/erfc
 * (mpmath at 320 bits, rounded once), written with repr() so every double is
 * exact. python3's math.erf/erfc (glibc) was not used as the reference
 * because glibc's erfc is itself > 1 ulp off at some of these points.
 * Regenerate with:
 *   python3 packages/core/test/fixtures/gen-erf-values.py \
 *     > packages/core/test/fixtures/erf-values.json
 *
 * Error bounds. fdlibm's erf is < 1 ulp everywhere. fdlibm's erfc is not:
 * for x > 0.25 the result is built from two exp() calls and a division
 * (or from 0.5 - (x*y + (x-0.5))), and a faithful port inherits errors of up
 * to ~2.6 ulp (measured against mpmath over 375k random points in
 * [-6, 27.3]; e.g. erfc(2.1980732690637144) is 2.58 ulp off; this fixture's
 * worst is erfc(6.000000000000002), 1.77 ulp). glibc's erfc, a descendant of
 * the same code, behaves alike. So erfc is held to 1 ulp only for x <= 0
 * (where the result is in [1, 2]), and to 3 ulp (bit distance) elsewhere.
 */
interface Row {
  x: number;
  erf: number;
  erfc: number;
}
const rows: Row[] = JSON.parse(
  readFileSync(new URL('./fixtures/erf-values.json', import.meta.url), 'utf8'),
) as Row[];


describe('erf/erfc (fdlibm port) against correctly rounded reference values', () => {
  it('fixture covers the branch boundaries', () => {
    expect(rows.length).toBeGreaterThanOrEqual(350);
    for (const x of [0.84375, 1.25, 6, 28, -0.84375, -1.25, -6, -28, 5e-324, -5e-324]) {
      expect(rows.some((r) => r.x === x)).toBe(true);
    }
  });

  const cases = [
    { name: 'erf', fn: erf, key: 'erf', bound: () => 1 },
    { name: 'erfc', fn: erfc, key: 'erfc', bound: (x: number) => (x <= 0 ? 1 : 3) },
  ] as const;
  for (const { name, fn, key, bound } of cases) {
    it(`${name} is within ${name === 'erf' ? '1 ulp' : '1 ulp for x <= 0, 3 ulp for x > 0'}`, () => {
      let worst = 0;
      let worstX = NaN;
      const bad: string[] = [];
      for (const r of rows) {
        const got = fn(r.x);
        const u = ulpDiff(got, r[key]);
        if (u > worst) {
          worst = u;
          worstX = r.x;
        }
        if (u > bound(r.x)) bad.push(`${name}(${r.x}) = ${got}, expected ${r[key]} (${u} ulp)`);
      }
      console.log(`${name}: worst error ${worst} ulp${worst > 0 ? ` at x = ${worstX}` : ''} over ${rows.length} points`);
      expect(bad).toEqual([]);
    });
  }
});

describe('erf/erfc special values', () => {
  it('erf', () => {
    expect(erf(NaN)).toBeNaN();
    expect(Object.is(erf(0), 0)).toBe(true);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    // subnormal inputs: erf(x) ~ x * 2/sqrt(pi), sign kept
    expect(erf(5e-324)).toBe(5e-324);
    expect(erf(-5e-324)).toBe(-5e-324);
    expect(erf(1e-310)).toBe(1.1283791670955e-310);
  });

  it('erfc', () => {
    expect(erfc(NaN)).toBeNaN();
    expect(Object.is(erfc(Infinity), 0)).toBe(true);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(0)).toBe(1);
    expect(erfc(-0)).toBe(1);
    expect(erfc(5e-324)).toBe(1);
    expect(Object.is(erfc(28), 0)).toBe(true);
    expect(erfc(-28)).toBe(2);
  });

  it('symmetries hold on the fixture points', () => {
    for (const r of rows) {
      expect(Object.is(erf(-r.x), -erf(r.x))).toBe(true);
    }
  });
});
