/** The types the two platform implementations (node.ts, browser.ts) share. */

/** The two reports the suite writes per backend. */
export type ReportKind = 'accuracy' | 'reliability';

/** Memory after garbage collection (bytes); a field is absent where the platform cannot read it. */
export interface MemoryReading {
  heapUsed?: number;
  arrayBuffers?: number;
  rss?: number;
}

/** Which of {@link MemoryReading}'s fields the platform reads. */
export type MemoryReadings = Record<keyof MemoryReading, boolean>;
