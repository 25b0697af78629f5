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

/** Rows of one block of a stack (see {@link splitStackedRows}), each costing `rowCost`. */
export interface RowBlock {
  readonly rows: number;
  readonly rowCost: number;
}

/**
 * Splits the rows of several blocks, stacked one after another, into `parts` contiguous runs of
 * near-equal total cost: for each part, its [start, end) range within every block (empty where
 * it has none there). A row belongs to the part its starting cost falls in, so every row of
 * every block goes to exactly one part.
 */
export function splitStackedRows(blocks: readonly RowBlock[], parts: number): [number, number][][] {
  const total = blocks.reduce((sum, b) => sum + b.rows * b.rowCost, 0);
  const rowsBefore = (b: RowBlock, offset: number, cost: number): number => {
    if (b.rowCost === 0) return offset < cost ? b.rows : 0; // costless rows: all start at the block's offset
    return Math.min(b.rows, Math.max(0, Math.ceil((cost - offset) / b.rowCost)));
  };
  return Array.from({ length: parts }, (_, i) => {
    const [lo, hi] = [(i * total) / parts, i === parts - 1 ? Infinity : ((i + 1) * total) / parts];
    let offset = 0;
    return blocks.map((b): [number, number] => {
      const range: [number, number] = [rowsBefore(b, offset, lo), rowsBefore(b, offset, hi)];
      offset += b.rows * b.rowCost;
      return range;
    });
  });
}
