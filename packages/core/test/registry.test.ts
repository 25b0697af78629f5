import { describe, expect, it, vi } from 'vitest';
import { BackendRegistry, ErrorCode, RectifierError, type Backend } from '../src/index.js';

function fakeBackend(name: string, readyError?: Error): Backend {
  let disposed = false;
  return {
    name,
    get isDisposed() { return disposed; },
    async ready() { if (readyError) throw readyError; },
    async dispose() { disposed = true; },
  } as unknown as Backend;
}

describe('BackendRegistry', () => {
  it('picks the highest priority backend that initialises and reports each fallback', async () => {
    const r = new BackendRegistry();
    const broken = fakeBackend('gpu', new Error('no WebGL context'));
    r.register('cpu', () => fakeBackend('cpu'), { priority: 0 });
    r.register('gpu', () => broken, { priority: 10 });
    r.register('workers', () => { throw new Error('no SharedArrayBuffer'); }, { priority: 5 });
    expect(r.names()).toEqual(['gpu', 'workers', 'cpu']);
    const onFallback = vi.fn();
    const b = await r.best({ onFallback });
    expect(b.name).toBe('cpu');
    expect(onFallback).toHaveBeenCalledTimes(2);
    expect(onFallback.mock.calls[0][0].name).toBe('gpu');
    expect(String(onFallback.mock.calls[0][0].error)).toContain('no WebGL context');
    expect(onFallback.mock.calls[1][0].name).toBe('workers');
    expect(broken.isDisposed).toBe(true); // a backend that failed ready() is released
  });

  it('warns on the console by default when it falls back', async () => {
    const r = new BackendRegistry();
    r.register('bad', () => { throw new Error('boom'); }, { priority: 1 });
    r.register('good', () => fakeBackend('good'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect((await r.best()).name).toBe('good');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/backend 'bad' is unavailable \(.*failed to initialise: boom\); trying the next one/));
    warn.mockRestore();
  });

  it('gives BACKEND_UNAVAILABLE naming every failure when none works, or when none is registered', async () => {
    const r = new BackendRegistry();
    await expect(r.best()).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable, message: expect.stringContaining('no backend is registered') });
    r.register('a', () => { throw new Error('A failed'); });
    r.register('b', () => fakeBackend('b', new Error('B failed')));
    const e = await r.best({ onFallback: () => undefined }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RectifierError);
    expect((e as RectifierError).code).toBe(ErrorCode.BackendUnavailable);
    expect((e as Error).message).toContain('A failed');
    expect((e as Error).message).toContain('B failed');
  });

  it('creates a backend by name and rejects unknown names', async () => {
    const r = new BackendRegistry();
    r.register('cpu', () => fakeBackend('cpu'));
    expect((await r.create('cpu')).name).toBe('cpu');
    await expect(r.create('gpu')).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable, message: expect.stringContaining('(cpu)') });
    expect(r.unregister('cpu')).toBe(true);
    expect(r.names()).toEqual([]);
  });

  it('keeps registration order among equal priorities and validates its arguments', () => {
    const r = new BackendRegistry();
    r.register('first', () => fakeBackend('first'));
    r.register('second', () => fakeBackend('second'));
    expect(r.names()).toEqual(['first', 'second']);
    expect(() => r.register('', () => fakeBackend('x'))).toThrow(RectifierError);
    expect(() => r.register('x', 42 as unknown as () => Backend)).toThrow(/factory/);
    expect(() => r.register('x', () => fakeBackend('x'), { priority: NaN })).toThrow(/priority/);
  });

  it('reads its options as own properties only: keys on Object.prototype are not options', async () => {
    const r = new BackendRegistry();
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.only = ['nothing'];
      proto.priority = 99;
      r.register('cpu', () => fakeBackend('cpu'));
      r.register('gpu', () => fakeBackend('gpu'), { priority: 1 });
      expect(r.names()).toEqual(['gpu', 'cpu']);
      expect((await r.best()).name).toBe('gpu');
    } finally {
      delete proto.only;
      delete proto.priority;
    }
  });

  it('never chooses an automatic: false backend unless asked by name, and describes what it tried, chose and why', async () => {
    const r = new BackendRegistry();
    r.register('cpu', () => fakeBackend('cpu'), { priority: 0 });
    r.register('gpu', () => fakeBackend('gpu', new Error('no GL device')), { priority: 20 });
    r.register('gpu-software', () => fakeBackend('gpu-software'), { priority: 10, automatic: false });
    const b = await r.best({ onFallback: () => undefined });
    expect(b.name).toBe('cpu');
    const d = r.describe();
    expect(d.registered).toEqual([
      { name: 'gpu', priority: 20, automatic: true },
      { name: 'gpu-software', priority: 10, automatic: false },
      { name: 'cpu', priority: 0, automatic: true },
    ]);
    expect(d.lastChoice?.chosen).toBe('cpu');
    expect(d.lastChoice?.tried).toEqual([{ name: 'gpu', error: expect.stringContaining('no GL device') }, { name: 'cpu' }]);
    expect(d.lastChoice?.reason).toContain('gpu was unavailable');
    expect((await r.best({ only: ['gpu-software'] })).name).toBe('gpu-software');
    expect((await r.create('gpu-software')).name).toBe('gpu-software');
    expect(() => r.register('x', () => fakeBackend('x'), { automatic: 'yes' as unknown as boolean })).toThrow(RectifierError);
  });
});
