// Reading an ONNX model (protobuf ModelProto, decoded by onnx-proto / protobufjs) into plain data: nodes with their
// attributes, constant tensors (initializers and Constant nodes) as doubles, and the graph's one image input.
// Problems with the file itself are ToolErrors: IMC125 (not a readable ONNX model), IMC126 (opset outside 11-18).
import onnxProto from 'onnx-proto';
import { ToolError } from '../diagnostics/index.js';

const { onnx } = onnxProto;

/** The ai.onnx opsets the importer implements. */
export const OPSET_MIN = 11;
export const OPSET_MAX = 18;

export type AttributeValue = number | number[] | string;

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, AttributeValue>;
}

export interface OnnxTensor {
  dims: number[];
  data: Float64Array;
  /** onnx.TensorProto.DataType (a QuantizeLinear's zero point type says whether it quantizes to int8 or uint8). */
  dataType: number;
}

export interface OnnxModel {
  opset: number;
  nodes: OnnxNode[];
  constants: Map<string, OnnxTensor>;
  input: { name: string; dims: (number | string)[] };
  outputs: string[];
}

type LongLike = number | { toNumber(): number };

function toNumber(v: LongLike): number {
  return typeof v === 'number' ? v : v.toNumber();
}

// onnx.TensorProto.DataType values of the tensor types a CNN's parameters use.
export const FLOAT = 1;
export const UINT8 = 2;
export const INT8 = 3;
const INT32 = 6;
const INT64 = 7;
const DOUBLE = 11;

function tensorData(t: onnxProto.onnx.ITensorProto, where: string): OnnxTensor {
  const dims = (t.dims ?? []).map((d) => toNumber(d as LongLike));
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const data = new Float64Array(count);
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const size = { [FLOAT]: 4, [UINT8]: 1, [INT8]: 1, [INT32]: 4, [INT64]: 8, [DOUBLE]: 8 }[t.dataType ?? 0];
  if (size === undefined) throw new ToolError('IMC274', { where, tensor: t.name ?? '', dtype: t.dataType ?? 0 });
  if (view && raw!.length !== count * size) throw new ToolError('IMC275', { where, tensor: t.name ?? '', bytes: raw!.length, needed: count * size });
  if (view && t.dataType === FLOAT) {
    // The common case (PyTorch exports float32 raw data): one typed-array conversion instead of a DataView call per
    // value, read in place when the bytes are 4-byte aligned in the file's buffer (only the Float64Array is kept), else
    // through an aligned copy of them.
    const bytes = raw!.byteOffset % 4 === 0 ? raw! : new Uint8Array(raw!);
    data.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
    return { dims, data, dataType: FLOAT };
  }
  if (!view && t.dataType === FLOAT && t.floatData && t.floatData.length === count) {
    data.set(t.floatData);
    return { dims, data, dataType: FLOAT };
  }
  for (let i = 0; i < count; i++) {
    if (view) {
      const at = i * size;
      data[i] =
        t.dataType === FLOAT ? view.getFloat32(at, true)
        : t.dataType === DOUBLE ? view.getFloat64(at, true)
        : t.dataType === INT8 ? view.getInt8(at)
        : t.dataType === UINT8 ? view.getUint8(at)
        : t.dataType === INT32 ? view.getInt32(at, true)
        : Number(view.getBigInt64(at, true));
    } else {
      const list: LongLike[] =
        t.dataType === FLOAT ? t.floatData ?? []
        : t.dataType === DOUBLE ? t.doubleData ?? []
        : t.dataType === INT64 ? (t.int64Data as LongLike[]) ?? []
        : t.int32Data ?? [];
      if (list.length !== count) throw new ToolError('IMC276', { where, tensor: t.name ?? '', values: list.length, needed: count });
      data[i] = toNumber(list[i]);
    }
  }
  return { dims, data, dataType: t.dataType! };
}

function attributeValue(a: onnxProto.onnx.IAttributeProto): AttributeValue {
  switch (a.type) {
    case onnx.AttributeProto.AttributeType.FLOAT:
      return a.f ?? 0;
    case onnx.AttributeProto.AttributeType.INT:
      return toNumber((a.i ?? 0) as LongLike);
    case onnx.AttributeProto.AttributeType.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case onnx.AttributeProto.AttributeType.INTS:
      return (a.ints ?? []).map((v) => toNumber(v as LongLike));
    case onnx.AttributeProto.AttributeType.FLOATS:
      return [...(a.floats ?? [])];
    default:
      return `<attribute of type ${a.type}>`;
  }
}

/** Decodes an ONNX file; throws ToolError for a file that is not a (complete) ONNX model or has another opset. */
export function readOnnx(file: string, bytes: Uint8Array): OnnxModel {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ToolError('IMC125', { file, reason: err instanceof Error ? err.message : String(err) });
  }
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0) throw new ToolError('IMC272', { file });
  const opsetEntry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = opsetEntry ? toNumber(opsetEntry.version as LongLike) : 0;
  if (opset < OPSET_MIN || opset > OPSET_MAX) {
    throw new ToolError('IMC126', { file, opset, min: OPSET_MIN, max: OPSET_MAX });
  }
  const constants = new Map<string, OnnxTensor>();
  for (const t of graph.initializer ?? []) constants.set(t.name ?? '', tensorData(t, file));
  const nodes: OnnxNode[] = [];
  for (const [i, n] of (graph.node ?? []).entries()) {
    const node: OnnxNode = {
      name: n.name && n.name.length > 0 ? n.name : `${n.opType}_${i}`,
      opType: n.opType ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attributes: new Map((n.attribute ?? []).map((a) => [a.name ?? '', attributeValue(a)])),
    };
    const constantTensor = (n.attribute ?? []).find((a) => a.name === 'value' && a.t);
    if (node.opType === 'Constant' && constantTensor?.t) {
      constants.set(node.outputs[0], tensorData(constantTensor.t, file));
      continue;
    }
    nodes.push(node);
  }
  const inputs = (graph.input ?? []).filter((v) => !constants.has(v.name ?? ''));
  if (inputs.length !== 1) throw new ToolError('IMC273', { file, count: inputs.length });
  const shape = inputs[0].type?.tensorType?.shape?.dim ?? [];
  const dims = shape.map((d) => (d.dimParam ? d.dimParam : toNumber((d.dimValue ?? 0) as LongLike)));
  return { opset, nodes, constants, input: { name: inputs[0].name ?? 'input', dims }, outputs: (graph.output ?? []).map((o) => o.name ?? '') };
}
