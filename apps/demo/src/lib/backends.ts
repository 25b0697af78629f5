/**
 * The backend selector's entries. Node and the browser each have a list (node-backends.ts,
 * web/backends.ts); adding a backend is one entry: an id, a label and a factory.
 */
import type { Backend } from '@rectifier/core';

export interface BackendEntry {
  id: string;
  label: string;
  /** Creates the backend and waits until it can compute; rejects when it is unavailable here. */
  create(): Promise<Backend>;
}

/** A name for tables: the backend's own name, plus its mode where it declares one (gpu.js: gpu/webgl/cpu…). */
export function describeBackend(b: Backend): string {
  const mode = (b as { mode?: unknown }).mode;
  return typeof mode === 'string' && mode !== '' ? `${b.name} (${mode})` : b.name;
}

/** Creates the entry's backend and checks it answers; returns the error message when it cannot. */
export async function tryCreate(entry: BackendEntry): Promise<Backend | string> {
  try {
    const b = await entry.create();
    await b.ready();
    return b;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
