// The module's exports: every kernel takes byte offsets into the imported memory, which the JS
// side (src/) lays out. All kernels are float32 unless their name says otherwise.
export * from './select';
export * from './transcendental';
export * from './gemm';
export * from './certify';
export * from './reduce';
export { madd_probe_f32 } from './gemm-madd';
export * from './fast'; // precision: 'fast' (float32 lanes)
