/**
 * @rectifier/onnx — Rectifier and ONNX. Export a catalogue op, a matmul or an FFN block as an ONNX
 * model ({@link exportOp}, {@link exportMatmul}, {@link exportFfn}); import an ONNX model made of
 * element-wise activations, MatMul/Gemm, Add and FFN blocks and run it on any Rectifier backend
 * ({@link importOnnx}).
 */
export { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, type Dim } from './graph.js';
export {
  CALL_METADATA_KEY, exportFfn, exportMatmul, exportOp,
  type ExportOptions, type FfnExportOptions, type MatmulExportOptions, type OpExportOptions,
} from './export.js';
export {
  IMPORT_MIN_OPSET, OnnxUnsupportedError, importOnnx,
  type OnnxModel, type OnnxRunOptions, type OnnxValueInfo, type UnsupportedNode,
} from './import.js';
