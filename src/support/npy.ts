// NumPy's .npy array format (numpy.lib.format, versions 1-3): a magic string, a little header that is a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, C, H, W), }, then the raw C-order data. Only the
// numeric little-endian dtypes a model needs are read; everything else is a NpyFormatError naming the rule it breaks
// (its problem, which the readers of .npy inputs turn into one diagnostic code each: reference/npyImages.ts).
// Values come back as a Float64Array (int64 values must be exact doubles, |v| <= 2^53).

export type NpyDtype = 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'f4' | 'f8';

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float64Array;
}

/** What formatNpy writes: an NpyArray, or integers left in their Int32Array (no widening copy of 11 M weights). */
export type NpyOutput = Omit<NpyArray, 'data'> & { data: Float64Array | Int32Array };

/** What is wrong with a .npy file: one rule each, with the values its message needs. */
export type NpyProblem =
  | { rule: 'magic' }
  | { rule: 'version'; version: number }
  | { rule: 'truncatedHeader' }
  | { rule: 'header'; header: string }
  | { rule: 'dtype'; dtype: string }
  | { rule: 'bigEndian'; dtype: string }
  | { rule: 'fortranOrder' }
  | { rule: 'shape'; shape: string }
  | { rule: 'dataSize'; bytes: number; shape: string; dtype: NpyDtype; needed: number }
  | { rule: 'beyondExact'; value: string; index: number };

/** The problem in words, for a reader that reports it inside another message (a member of a weights .npz). */
function problemText(p: NpyProblem): string {
  switch (p.rule) {
    case 'magic': return 'not a .npy file (it does not begin with the magic bytes 0x93 NUMPY)';
    case 'version': return `.npy format version ${p.version} is not supported (1, 2 or 3)`;
    case 'truncatedHeader': return 'the file is truncated inside its header';
    case 'header': return `the header is not a numpy array header: ${p.header}`;
    case 'dtype': return `dtype '${p.dtype}' is not supported (use int8..int64, uint8..uint64, float32 or float64)`;
    case 'bigEndian': return `dtype '${p.dtype}' is big-endian (save it little-endian)`;
    case 'fortranOrder': return 'the array is in Fortran order (save a C-contiguous array)';
    case 'shape': return `the shape (${p.shape}) is not a tuple of whole numbers`;
    case 'dataSize': return `the data has ${p.bytes} bytes, the header's shape (${p.shape}) of ${p.dtype} needs ${p.needed}`;
    case 'beyondExact': return `value ${p.value} at index ${p.index} is beyond 2^53`;
  }
}

export class NpyFormatError extends Error {
  constructor(readonly problem: NpyProblem) {
    super(problemText(problem));
    this.name = 'NpyFormatError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const BYTES: Record<NpyDtype, number> = { i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f4: 4, f8: 8 };

export function isIntegerDtype(dtype: NpyDtype): boolean {
  return dtype !== 'f4' && dtype !== 'f8';
}

function parseHeader(text: string): { dtype: NpyDtype; shape: number[] } {
  const descr = /'descr'\s*:\s*'([<>|=])([a-z])(\d+)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new NpyFormatError({ rule: 'header', header: text.trim() });
  const [, order, kind, size] = descr;
  const dtype = `${kind}${size}` as NpyDtype;
  if (!(dtype in BYTES)) throw new NpyFormatError({ rule: 'dtype', dtype: `${order}${kind}${size}` });
  if (order === '>' && BYTES[dtype] > 1) throw new NpyFormatError({ rule: 'bigEndian', dtype: `${order}${kind}${size}` });
  if (fortran[1] === 'True') throw new NpyFormatError({ rule: 'fortranOrder' });
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!dims.every((d) => /^\d+$/.test(d))) throw new NpyFormatError({ rule: 'shape', shape: shape[1] });
  return { dtype, shape: dims.map(Number) };
}

/** Parses one .npy file; throws NpyFormatError saying what is wrong. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new NpyFormatError({ rule: 'magic' });
  const major = bytes[6];
  if (major < 1 || major > 3) throw new NpyFormatError({ rule: 'version', version: major });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : -1;
  const headerStart = major === 1 ? 10 : 12;
  if (headerLength < 0 || headerStart + headerLength > bytes.length) throw new NpyFormatError({ rule: 'truncatedHeader' });
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const { dtype, shape } = parseHeader(header);
  const count = shape.reduce((a, b) => a * b, 1);
  const size = BYTES[dtype];
  const start = headerStart + headerLength;
  if (bytes.length - start !== count * size) {
    throw new NpyFormatError({ rule: 'dataSize', bytes: bytes.length - start, shape: shape.join(', '), dtype, needed: count * size });
  }
  const data = new Float64Array(count);
  // int8 (quantized weights) is the bulk of a weights file: one typed-array copy instead of a call per value.
  if (dtype === 'i1' || dtype === 'u1') {
    data.set(dtype === 'i1' ? new Int8Array(bytes.buffer, bytes.byteOffset + start, count) : bytes.subarray(start, start + count));
    return { dtype, shape, data };
  }
  for (let i = 0, at = start; i < count; i++, at += size) {
    switch (dtype) {
      case 'i2': data[i] = view.getInt16(at, true); break;
      case 'u2': data[i] = view.getUint16(at, true); break;
      case 'i4': data[i] = view.getInt32(at, true); break;
      case 'u4': data[i] = view.getUint32(at, true); break;
      case 'f4': data[i] = view.getFloat32(at, true); break;
      case 'f8': data[i] = view.getFloat64(at, true); break;
      case 'i8':
      case 'u8': {
        const v = dtype === 'i8' ? view.getBigInt64(at, true) : view.getBigUint64(at, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new NpyFormatError({ rule: 'beyondExact', value: String(v), index: i });
        data[i] = Number(v);
        break;
      }
    }
  }
  return { dtype, shape, data };
}

/** Writes a version-1 .npy file (little-endian, C order), header padded to a multiple of 64 bytes as numpy does. */
export function formatNpy(array: NpyOutput): Uint8Array {
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${BYTES[array.dtype] === 1 ? '|' : '<'}${array.dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const size = BYTES[array.dtype];
  const out = new Uint8Array(10 + header.length + array.data.length * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  if (array.dtype === 'i1') {
    new Int8Array(out.buffer, 10 + header.length, array.data.length).set(array.data);
    return out;
  }
  for (let i = 0, at = 10 + header.length; i < array.data.length; i++, at += size) {
    const v = array.data[i];
    switch (array.dtype) {
      case 'u1': view.setUint8(at, v); break;
      case 'i2': view.setInt16(at, v, true); break;
      case 'u2': view.setUint16(at, v, true); break;
      case 'i4': view.setInt32(at, v, true); break;
      case 'u4': view.setUint32(at, v, true); break;
      case 'i8': view.setBigInt64(at, BigInt(v), true); break;
      case 'u8': view.setBigUint64(at, BigInt(v), true); break;
      case 'f4': view.setFloat32(at, v, true); break;
      case 'f8': view.setFloat64(at, v, true); break;
    }
  }
  return out;
}
