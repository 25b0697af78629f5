import { createCpuBackend } from '@rectifier/backend-cpu';
import { tensor } from '@rectifier/core';
const b = createCpuBackend();
const time = (f) => { for (let i = 0; i < 200; i++) f(); const ts = []; for (let r = 0; r < 15; r++) { const t0 = performance.now(); for (let i = 0; i < 100; i++) f(); ts.push((performance.now() - t0) / 100); } ts.sort((a, b) => a - b); return ts[7]; };
const small = b.allocate([16]); const smallOut = b.allocate([16]);
const os = tensor(new Float32Array(16)), oo = tensor(new Float32Array(16));
for (let k = 0; k < 3; k++) {
console.log('resident', (time(() => b.sync.forward('relu', small, undefined, { out: smallOut }))*1000).toFixed(1), 'us; ordinary', (time(() => b.sync.forward('relu', os, undefined, { out: oo }))*1000).toFixed(1), 'us');
}
