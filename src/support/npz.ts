// NumPy's .npz container: a zip archive of .npy files, one per named array (numpy.savez / savez_compressed). The zip
// layer is fflate's; the arrays are read by ./npy.ts. Written archives are byte-identical on every machine (sorted
// names, a fixed timestamp built from local fields, since zip stores local time).
import { unzipSync, zipSync } from 'fflate';
import { formatNpy, NpyFormatError, parseNpy, type NpyArray, type NpyOutput } from './npy.js';

/** An archive that is not a readable .npz; the message says why (a member's .npy problem prefixed with its name). */
export class NpzFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpzFormatError';
  }
}

/** Reads every array of an .npz archive, by name (without the .npy suffix); throws NpzFormatError. */
export function parseNpz(bytes: Uint8Array): Map<string, NpyArray> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw new NpzFormatError(`not a readable .npz (zip) archive: ${err instanceof Error ? err.message : String(err)}`);
  }
  const arrays = new Map<string, NpyArray>();
  for (const name of Object.keys(entries).sort()) {
    if (!name.endsWith('.npy')) throw new NpzFormatError(`archive member '${name}' is not a .npy array`);
    try {
      arrays.set(name.slice(0, -4), parseNpy(entries[name]));
    } catch (err) {
      if (err instanceof NpyFormatError) throw new NpzFormatError(`array '${name.slice(0, -4)}': ${err.message}`);
      throw err;
    }
  }
  return arrays;
}

/**
 * An .npz archive of the arrays, stored uncompressed as numpy.savez writes them (quantized weights are close to
 * incompressible: deflate saved under 1% of a ResNet-18's 11 MB and cost over a second), members in name order with a
 * fixed date.
 */
export function formatNpz(arrays: ReadonlyMap<string, NpyOutput>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const name of [...arrays.keys()].sort()) files[`${name}.npy`] = formatNpy(arrays.get(name)!);
  return zipSync(files, { level: 0, mtime: new Date(1980, 0, 1, 0, 0, 0) });
}
