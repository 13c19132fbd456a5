// .npy input and data files (src/reference/npyImages.ts): every rule of the .npy reader a file can break is its own
// diagnostic code, with the values that say what the file holds (IMC256, IMC277-IMC285).
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/diagnostics/index.js';
import { readNpyArray } from '../../src/reference/npyImages.js';
import { formatNpy } from '../../src/support/npy.js';

/** A .npy file of the given format version, header text (padded as numpy pads it) and data bytes. */
function npyFile(header: string, data: Uint8Array, version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const padded = header + ' '.repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(prefix + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) out[prefix + i] = padded.charCodeAt(i);
  out.set(data, prefix + padded.length);
  return out;
}

const dict = (descr: string, shape: string, fortran = 'False'): string => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

function failure(bytes: Uint8Array): { code: string; message: string } {
  try {
    readNpyArray('x.npy', bytes);
  } catch (err) {
    if (err instanceof ToolError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('the file was read');
}

describe('.npy input files', () => {
  it('a well-formed file of each format version is read (version 2 and 3 have a 4-byte header length)', () => {
    const two = new Uint8Array(new Int16Array([-3, 7]).buffer);
    for (const version of [1, 2, 3]) {
      const array = readNpyArray('x.npy', npyFile(dict('<i2', '(2,)'), two, version));
      expect({ dtype: array.dtype, shape: array.shape, data: Array.from(array.data) }).toEqual({ dtype: 'i2', shape: [2], data: [-3, 7] });
    }
  });

  const cases: Array<{ rule: string; bytes: Uint8Array; code: string; message: string }> = [
    { rule: 'no magic', bytes: new TextEncoder().encode('not an npy file at all'), code: 'IMC256', message: 'x.npy: not a .npy file (it does not begin with the magic bytes 0x93 NUMPY)' },
    {
      rule: 'format version',
      bytes: npyFile(dict('<i2', '(1,)'), new Uint8Array(2), 4),
      code: 'IMC277',
      message: 'x.npy: .npy format version 4 is not supported (1, 2 or 3)',
    },
    {
      rule: 'truncated header',
      bytes: npyFile(dict('<f4', '(1, 1, 2, 2)'), new Uint8Array(0)).subarray(0, 40),
      code: 'IMC278',
      message: 'x.npy: the file is truncated inside its .npy header',
    },
    {
      rule: 'not an array header',
      bytes: npyFile("{'descr': '<f4', 'shape': (2,), }", new Uint8Array(8)),
      code: 'IMC279',
      message: "x.npy: the header is not a numpy array header: {'descr': '<f4', 'shape': (2,), }",
    },
    {
      rule: 'unsupported dtype',
      bytes: npyFile(dict('<c16', '(1,)'), new Uint8Array(16)),
      code: 'IMC280',
      message: "x.npy: dtype '<c16' is not supported (use int8..int64, uint8..uint64, float32 or float64)",
    },
    { rule: 'big-endian', bytes: npyFile(dict('>f4', '(1,)'), new Uint8Array(4)), code: 'IMC281', message: "x.npy: dtype '>f4' is big-endian (save it little-endian)" },
    {
      rule: 'Fortran order',
      bytes: npyFile(dict('<f4', '(2, 2)', 'True'), new Uint8Array(16)),
      code: 'IMC282',
      message: 'x.npy: the array is in Fortran order (save a C-contiguous array)',
    },
    {
      rule: 'shape not whole numbers',
      bytes: npyFile(dict('<f4', '(2, -1)'), new Uint8Array(8)),
      code: 'IMC283',
      message: 'x.npy: the shape (2, -1) is not a tuple of whole numbers',
    },
    {
      rule: 'data shorter than the shape',
      bytes: formatNpy({ dtype: 'f4', shape: [1, 1, 2, 2], data: new Float64Array(4) }).subarray(0, -3),
      code: 'IMC284',
      message: "x.npy: the data has 13 bytes, the header's shape (1, 1, 2, 2) of f4 needs 16 (truncated file?)",
    },
    {
      rule: 'int64 beyond 2^53',
      bytes: npyFile(dict('<i8', '(2,)'), new Uint8Array(new BigInt64Array([5n, -(2n ** 60n)]).buffer)),
      code: 'IMC285',
      message: `x.npy: value ${-(2n ** 60n)} at index 1 is beyond 2^53 (not an exact number)`,
    },
  ];

  for (const c of cases) {
    it(`${c.rule} is ${c.code}`, () => {
      expect(failure(c.bytes)).toEqual({ code: c.code, message: c.message });
    });
  }
});
