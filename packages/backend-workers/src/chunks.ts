/** How a call's work is cut into one chunk per thread. */

/**
 * [start, end) ranges splitting n items into `parts` contiguous chunks of near-equal size, each
 * start a multiple of `align` (so two threads never write the same cache line); trailing ones may
 * be empty.
 */
export function splitRanges(n: number, parts: number, align: number): [number, number][] {
  const size = Math.ceil(Math.ceil(n / parts) / align) * align;
  return Array.from({ length: parts }, (_, i): [number, number] => [Math.min(n, i * size), Math.min(n, (i + 1) * size)]);
}

/** The non-empty chunks of {@link splitRanges}: one task each. */
export function chunks(n: number, parts: number, align: number): [number, number][] {
  return splitRanges(n, parts, align).filter(([start, end]) => end > start);
}

/** 16 float32 = one 64-byte cache line: where element-wise chunks start. */
export const ELEMENT_ALIGN = 16;
