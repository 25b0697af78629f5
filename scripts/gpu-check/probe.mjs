// What this machine's GL and WebGPU are, for the GPU check's summary: the renderer headless-gl gets
// (through ANGLE; under Xvfb with Mesa it is llvmpipe, a software renderer), and the WebGPU adapter
// Dawn offers, or why it does not load. Run from the deployed gpu.js backend folder.
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';

const require = createRequire(`${process.cwd()}/package.json`);
const result = { gl: undefined, webgpu: undefined };

async function withDisplay(f) {
  if (process.env.DISPLAY) return f();
  const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let err = '';
  x.stderr.on('data', (d) => { err += d; });
  try {
    const display = await new Promise((resolve, reject) => {
      x.stdio[3].on('data', (d) => resolve(`:${String(d).trim()}`));
      x.on('error', reject);
      x.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`)));
      setTimeout(() => reject(new Error('Xvfb gave no display within 10 s')), 10_000);
    });
    process.env.DISPLAY = display;
    return f();
  } finally {
    x.kill();
  }
}

try {
  result.gl = await withDisplay(() => {
    const gl = require('gl')(8, 8);
    if (!gl) throw new Error('headless-gl created no context');
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return {
      version: gl.getParameter(gl.VERSION),
      renderer: gl.getParameter(gl.RENDERER),
      unmaskedRenderer: info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : null,
      unmaskedVendor: info ? gl.getParameter(info.UNMASKED_VENDOR_WEBGL) : null,
      maxTextureSize: gl.getParameter(gl.MAX_TEXTURE_SIZE),
    };
  });
} catch (e) {
  result.gl = { error: String(e?.message ?? e) };
}

try {
  // webgpu is gpu.js's dependency, not the backend's: resolve it from gpu.js.
  const fromGpujs = createRequire(require.resolve('gpu.js'));
  const { create, globals } = await import(fromGpujs.resolve('webgpu'));
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('requestAdapter returned null');
  const info = adapter.info ?? {};
  result.webgpu = { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize };
} catch (e) {
  result.webgpu = { error: String(e?.message ?? e) };
}
console.log(JSON.stringify(result, null, 1));
process.exit(0);
