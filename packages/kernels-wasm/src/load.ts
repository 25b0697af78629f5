/** What loading a build of the module needs: the few WebAssembly JS-API members used, base64, the environment. */

/** A WebAssembly.Memory as the wrappers use it (ES2022's lib has none; DOM's would drag in the rest). */
export interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }

/** The engine's WebAssembly namespace, typed for the members used here. */
export const WebAssembly = (globalThis as unknown as {
  WebAssembly: {
    validate(bytes: Uint8Array): boolean;
    Module: new (bytes: Uint8Array) => object;
    Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
    Instance: new (module: object, imports: object) => { exports: object };
  };
}).WebAssembly;

/** Whether the environment variable `name` is `off` or `0` (where there is a process.env). */
export function environmentSaysOff(name: string): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.[name];
  return v === 'off' || v === '0';
}

export function decodeBase64(s: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B !== undefined) return new Uint8Array(B.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
