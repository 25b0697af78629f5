// Transcendental activations (float32 in and out, computed in float64 SIMD). Stub.
export const TRANSCENDENTAL_VERSION: i32 = 0;
