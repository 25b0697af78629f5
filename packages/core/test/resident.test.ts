import { describe, expect, it } from 'vitest';
import {
  BackendBase, declareMemoryHandle, ErrorCode, MAX_TENSOR_ELEMENTS, prepareOpCall, RectifierError, residentTensor, Tensor,
  type Capabilities, type DType, type Kernels,
} from '../src/index.js';

const BASE: Capabilities = {
  dtypes: ['float32'], sync: true, ulp: { float32: 0 }, accumulation: 'float64',
  signedZeros: true, nonFinite: true, subnormals: true, maxElements: MAX_TENSOR_ELEMENTS,
};
const NO_KERNELS = {} as Kernels;

class Plain extends BackendBase {
  readonly name = 'plain';
  readonly capabilities = BASE;
  protected readonly kernels = NO_KERNELS;
}

class Pool extends BackendBase {
  readonly name = 'pool';
  readonly capabilities: Capabilities = { ...BASE, maxElements: 100, residentTensors: true };
  protected readonly kernels = NO_KERNELS;
  released = 0;
  protected override allocateResident(shape: readonly number[], size: number, _dtype: DType): Tensor {
    return residentTensor(new Float32Array(size), shape, () => { this.released++; });
  }
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof RectifierError ? e.code : 'not a RectifierError';
  }
  return undefined;
}

describe('backend.allocate', () => {
  it("is UNSUPPORTED_OP where the backend does not declare residentTensors, DISPOSED after dispose", async () => {
    const b = new Plain();
    expect(codeOf(() => b.allocate([2]))).toBe(ErrorCode.UnsupportedOp);
    await b.dispose();
    expect(codeOf(() => b.allocate([2]))).toBe(ErrorCode.Disposed);
  });

  it("checks shape, dtype and maxElements before the backend's allocateResident, whose dispose releases once", () => {
    const b = new Pool();
    expect(codeOf(() => b.allocate([-1]))).toBe(ErrorCode.BadShape);
    expect(codeOf(() => b.allocate([2], 'float64'))).toBe(ErrorCode.UnsupportedDtype);
    expect(codeOf(() => b.allocate([101]))).toBe(ErrorCode.TooLarge);
    const t = b.allocate([2, 5]);
    expect(t.shape).toEqual([2, 5]);
    t.dispose();
    t.dispose();
    expect(b.released).toBe(1);
    expect(t.isDisposed).toBe(true);
  });
});

describe('declareMemoryHandle', () => {
  it("makes out's overlap with an input a matter of byte range across two handles of one memory", () => {
    const memory = {};
    const first = new SharedArrayBuffer(64);
    const second = new SharedArrayBuffer(64); // stands in for the same memory after it grew
    const x = new Tensor(new Float32Array(first, 0, 8), [8]);
    const shifted = new Tensor(new Float32Array(second, 4, 8), [8]);
    const exact = new Tensor(new Float32Array(second, 0, 8), [8]);
    // Undeclared: nothing tells whether two SharedArrayBuffers share memory, so the kernel must not write out directly.
    expect(prepareOpCall('relu', x, undefined, undefined, { out: shifted }).out).toBeUndefined();
    declareMemoryHandle(first, memory);
    declareMemoryHandle(second, memory);
    expect(codeOf(() => prepareOpCall('relu', x, undefined, undefined, { out: shifted }))).toBe(ErrorCode.BadArgument);
    const inPlace = prepareOpCall('relu', x, undefined, undefined, { out: exact });
    expect(inPlace.out).toBeDefined(); // exactly x: an in-place update, written directly
    const disjoint = new Tensor(new Float32Array(second, 32, 8), [8]);
    expect(prepareOpCall('relu', x, undefined, undefined, { out: disjoint }).out).toBeDefined();
  });
});
