// Ragged method-2 blocks (replicas not a multiple of dW), measured (docs/optimize.md "Ragged blocks"): per replica
// count, the fewest tiles a full block needs against the fewest a ragged one needs, for 3x3 layers of a given width on
// 256x256 tiles; how a ragged block tiles an output plane, and the crossbar operations per image that costs.
import { blockOrigins, collectiveKernelMatrix, replicaOffsets, splitMatrix } from '../mapping/index.js';

export interface RaggedRow {
  channels: number;
  /** Per replica count: fewest tiles with a full block (any dW dividing n, method 1 included) and with a ragged one. */
  counts: Array<{ replicas: number; full: number; ragged: number | null; fullAtLeast: number; fullAtLeastReplicas: number }>;
}

function tiles(channels: number, replicas: number, dW: number, tile: { rows: number; cols: number }): number {
  const m = collectiveKernelMatrix({ inChannels: channels, outChannels: channels, kernelHeight: 3, kernelWidth: 3, stride: 1, replicas, dW });
  return splitMatrix(m.rowSources.length, m.columnSinks.length, tile.rows, tile.cols).parts.length;
}

export function raggedComparison(channels: number[], maxReplicas: number, tile = { rows: 256, cols: 256 }): RaggedRow[] {
  return channels.map((c) => {
    const full: number[] = [];
    const ragged: Array<number | null> = [];
    for (let n = 1; n <= 2 * maxReplicas; n++) {
      let f = Number.POSITIVE_INFINITY;
      let r: number | null = null;
      for (let dW = 1; dW <= n; dW++) {
        const t = tiles(c, n, dW, tile);
        if (n % dW === 0) f = Math.min(f, t);
        else r = Math.min(r ?? t, t);
      }
      full.push(f);
      ragged.push(r);
    }
    const counts = [];
    for (let n = 1; n <= maxReplicas; n++) {
      // The cheapest full block computing at least n pixels per timestep (n .. 2n replicas; the fewest on ties).
      let at = n;
      for (let k = n + 1; k <= 2 * n; k++) if (full[k - 1] < full[at - 1]) at = k;
      counts.push({ replicas: n, full: full[n - 1], ragged: ragged[n - 1], fullAtLeast: full[at - 1], fullAtLeastReplicas: at });
    }
    return { channels: c, counts };
  });
}

/** Markdown: one row per layer width; each cell `full / ragged` tiles for that replica count. */
export function formatRaggedTable(rows: RaggedRow[]): string {
  const counts = rows[0].counts.filter((c) => c.ragged !== null).map((c) => c.replicas);
  const header = `| 3x3 layer, channels | ${counts.map((n) => `n = ${n}`).join(' | ')} |`;
  const rule = `|---|${counts.map(() => '---|').join('')}`;
  const lines = rows.map(
    (r) =>
      `| ${r.channels} | ${counts
        .map((n) => {
          const c = r.counts[n - 1];
          return `${c.full} / ${c.ragged}${c.fullAtLeast < c.full ? ` (${c.fullAtLeast} for n = ${c.fullAtLeastReplicas})` : ''}`;
        })
        .join(' | ')} |`,
  );
  return [header, rule, ...lines].join('\n') + '\n';
}

/**
 * The origins of the blocks of n replicas, dW wide, that compute an output plane, when that block is ragged
 * (src/mapping/block.ts: the lattice (n, 0), (-h, 1)); null when n is a multiple of dW or leaves dW's last column
 * empty (no such block).
 */
export function raggedBlockOrigins(plane: { height: number; width: number }, replicas: number, dW: number): Array<{ y: number; x: number }> | null {
  const offsets = replicaOffsets(replicas, dW);
  if (Math.max(...offsets.map((o) => o.ox)) !== dW - 1 || replicas % dW === 0) return null;
  return blockOrigins(offsets, plane);
}

export interface RaggedOperationsRow {
  plane: number;
  /** Per replica count with a ragged block: crossbar operations per image. */
  counts: Array<{ replicas: number; ragged: number; raggedDW: number; full: number | null; fullReplicas: number | null }>;
}

/**
 * Crossbar operations per image of a square plane: the fewest of a ragged block of n replicas (any dW) against the
 * fewest of a full block of at most n replicas that tiles the plane evenly (what the search offers without ragged blocks).
 */
export function raggedOperations(planes: number[], counts: number[]): RaggedOperationsRow[] {
  return planes.map((side) => ({
    plane: side,
    counts: counts.map((n) => {
      let ragged = Number.POSITIVE_INFINITY;
      let raggedDW = 0;
      for (let dW = 2; dW < n; dW++) {
        const origins = raggedBlockOrigins({ height: side, width: side }, n, dW);
        if (origins !== null && origins.length < ragged) [ragged, raggedDW] = [origins.length, dW];
      }
      let full: number | null = null;
      let fullReplicas: number | null = null;
      for (let m = 1; m <= n; m++) {
        for (let dW = 1; dW <= m; dW++) {
          const h = m / dW;
          if (!Number.isInteger(h) || side % h !== 0 || side % dW !== 0) continue;
          const ops = (side / h) * (side / dW);
          if (full === null || ops < full) [full, fullReplicas] = [ops, m];
        }
      }
      return { replicas: n, ragged, raggedDW, full, fullReplicas };
    }),
  }));
}

/** Markdown: one row per plane; each cell `ragged / full` operations per image (the full block's count in brackets). */
export function formatRaggedOperations(rows: RaggedOperationsRow[]): string {
  const header = `| plane | ${rows[0].counts.map((c) => `n = ${c.replicas}`).join(' | ')} |`;
  const rule = `|---|${rows[0].counts.map(() => '---|').join('')}`;
  const lines = rows.map(
    (r) => `| ${r.plane}x${r.plane} | ${r.counts.map((c) => `${c.ragged} (dW ${c.raggedDW}) / ${c.full} (${c.fullReplicas})`).join(' | ')} |`,
  );
  return [header, rule, ...lines].join('\n') + '\n';
}
