// Seeded Gaussian samples for device variation and read noise. The uniform source is the project's mulberry32
// (src/ir/weights.ts), so a seed gives the same samples on every machine; Box-Muller turns pairs of uniforms into
// standard normals (Math.log / Math.cos / Math.sin are the same fdlibm ports in every Node 20 build).
import { fnv1a32, mulberry32 } from '../../ir/weights.js';

export interface NormalSource {
  /** One standard normal sample, N(0, 1). */
  next(): number;
}

/** A standard normal stream keyed by (seed, purpose), so each use (a tile's programming, a read) is independent. */
export function normalStream(seed: number, purpose: string): NormalSource {
  const uniform = mulberry32(fnv1a32(`${seed}:${purpose}`));
  let spare: number | null = null;
  return {
    next(): number {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // (u + 1) / 2^32 + tiny avoids log(0); the second uniform sets the angle.
      const u1 = (uniform() + 1) / 4294967297;
      const u2 = uniform() / 4294967296;
      const radius = Math.sqrt(-2 * Math.log(u1));
      spare = radius * Math.sin(2 * Math.PI * u2);
      return radius * Math.cos(2 * Math.PI * u2);
    },
  };
}
