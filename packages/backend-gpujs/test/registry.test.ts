import { BackendRegistry, defaultRegistry, getBackend, type Backend } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { registerGpujsBackend } from '../src/index.js';

/** A stand-in for the CPU backend: the automatic choice's floor. */
const cpuStandIn = (): Backend => ({ name: 'cpu', ready: async () => undefined, dispose: async () => undefined }) as unknown as Backend;

describe('automatic backend choice', () => {
  it('never picks a gpu.js mode slower than the CPU: only hardware GL offers itself; its modes are there by name', async () => {
    registerGpujsBackend();
    defaultRegistry.register('cpu', cpuStandIn, { priority: 0 });
    const names = defaultRegistry.describe().registered;
    expect(names.filter((n) => n.name.startsWith('gpujs')).map((n) => [n.name, n.automatic])).toEqual([
      ['gpujs', true], ['gpujs-webgpu', false], ['gpujs-gl', false], ['gpujs-webasm', false], ['gpujs-cpu', false],
    ]);
    // This machine has no GPU: headless-gl renders with Mesa's llvmpipe (or there is no GL at all).
    const chosen = await getBackend(undefined, { onFallback: () => undefined });
    expect(chosen.name).toBe('cpu');
    const last = defaultRegistry.describe().lastChoice!;
    expect(last.tried[0].name).toBe('gpujs');
    expect(last.tried[0].error).toMatch(/software|unavailable|GL/i);
    // WebGPU first (Dawn does not load in Node here, or offers no hardware adapter), then GL.
    expect(last.tried[0].error).toMatch(/webgpu: .*; gl: /);
    expect(last.reason).toContain('gpujs was unavailable');
    const webasm = await getBackend('gpujs-webasm');
    expect(webasm.name).toBe('gpujs');
    await webasm.dispose();
    for (const n of ['gpujs', 'gpujs-webgpu', 'gpujs-gl', 'gpujs-webasm', 'gpujs-cpu', 'cpu']) defaultRegistry.unregister(n);
    expect(new BackendRegistry().describe()).toEqual({ registered: [] });
  });

  it('registers into a registry of the caller\'s own, leaving the default one alone', () => {
    const own = new BackendRegistry();
    registerGpujsBackend(5, own);
    expect(own.describe().registered.map((n) => [n.name, n.priority, n.automatic])).toEqual([
      ['gpujs', 5, true], ['gpujs-webgpu', 5, false], ['gpujs-gl', 5, false], ['gpujs-webasm', 5, false], ['gpujs-cpu', 5, false],
    ]);
    expect(defaultRegistry.describe().registered.filter((n) => n.name.startsWith('gpujs'))).toEqual([]);
  });
});
