// Why the optimizer skips ragged method-2 blocks (replicas not a multiple of dW): per replica count, the fewest tiles a
// full block needs against the fewest a ragged one needs, for 3x3 layers of a given width on 256x256 tiles. For
// ResNet-32's widths a ragged block is never cheaper than a full block of n to 2n replicas (docs/optimize.md).
import { collectiveKernelMatrix, splitMatrix } from '../mapping/index.js';

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
