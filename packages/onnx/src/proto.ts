/**
 * ONNX's protobuf schema, as onnx-proto ships it (protobufjs code generated from onnx.proto,
 * ONNX 1.10.2). Nothing here encodes bytes by hand: models are built as plain objects and encoded
 * and decoded by protobufjs. Later ONNX fields that this schema lacks are not needed here.
 */
import onnxProto from 'onnx-proto';

/** The generated `onnx` namespace (ModelProto, GraphProto, NodeProto, TensorProto, …). */
export const onnx = onnxProto.onnx;

/** ONNX's TensorProto element types for the dtypes Rectifier computes. */
export const ELEM_FLOAT = 1;
/** TensorProto.DataType.DOUBLE. */
export const ELEM_DOUBLE = 11;
/** AttributeProto.AttributeType values used here. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** A plain-object ModelProto as the builders make it (protobufjs fills the rest). */
export type ModelObject = import('onnx-proto').onnx.IModelProto;
/** A plain-object GraphProto. */
export type GraphObject = import('onnx-proto').onnx.IGraphProto;
/** A plain-object NodeProto. */
export type NodeObject = import('onnx-proto').onnx.INodeProto;
/** A plain-object TensorProto. */
export type TensorObject = import('onnx-proto').onnx.ITensorProto;
/** A plain-object AttributeProto. */
export type AttributeObject = import('onnx-proto').onnx.IAttributeProto;
/** A plain-object ValueInfoProto. */
export type ValueInfoObject = import('onnx-proto').onnx.IValueInfoProto;
