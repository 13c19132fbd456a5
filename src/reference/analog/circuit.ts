// Circuit models of one resistive crossbar, all in normalized units: conductances divided by the device's gMax,
// voltages by the read voltage, resistances multiplied by gMax, so currents are in units of Vread * gMax.
//
// Geometry (the same in every model): row i is driven at its left end by the source u_i through the source
// resistance rs into node a(i,0); row wire segments rr join a(i,j) and a(i,j+1); device g(i,j) joins a(i,j) to the
// column node b(i,j); column wire segments rc join b(i,j) and b(i+1,j); the bottom node b(M-1,j) reaches the
// sensing neuron (virtual ground) through the neuron resistance rn. Column j's output is the current through rn.
//
// Three models:
//  - closedFormCurrents: the technology-aware paper's model of source and neuron resistance (no wires):
//    u'_i = u_i / (1 + rs * sum_j g(i,j)),  I_j = sum_i u'_i g(i,j) / (1 + rn * sum_i g(i,j)).
//  - NodalCrossbar: the exact nodal solve (Kirchhoff's current law at all 2MN nodes), a symmetric positive definite
//    banded system factored once by Cholesky and solved per input: the ground truth.
//  - effectiveConductance: a fast model in the spirit of RxNN's FCM, a non-ideal conductance matrix computed once
//    per tile in O(MN), so each read is one matrix-vector product. See the derivation above the function.

export interface CrossbarResistances {
  /** Source (driver) resistance per row, normalized (R * gMax). */
  source: number;
  /** Neuron (sensing) resistance per column, normalized. */
  neuron: number;
  /** Wire resistance between adjacent cells along a row, normalized. */
  row: number;
  /** Wire resistance between adjacent cells along a column, normalized. */
  col: number;
}

export function hasParasitics(r: CrossbarResistances): boolean {
  return r.source > 0 || r.neuron > 0 || r.row > 0 || r.col > 0;
}

/** Ideal currents I_j = sum_i u_i g(i,j); g is row-major rows x cols. */
export function idealCurrents(g: Float64Array, rows: number, cols: number, u: ArrayLike<number>): Float64Array {
  const out = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const ui = u[i];
    if (ui === 0) continue;
    const base = i * cols;
    for (let j = 0; j < cols; j++) out[j] += ui * g[base + j];
  }
  return out;
}

/** The technology-aware closed form for source and neuron resistance (wire resistance is ignored). */
export function closedFormCurrents(
  g: Float64Array,
  rows: number,
  cols: number,
  u: ArrayLike<number>,
  r: Pick<CrossbarResistances, 'source' | 'neuron'>,
): Float64Array {
  const colSum = new Float64Array(cols);
  const degraded = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let rowSum = 0;
    for (let j = 0; j < cols; j++) {
      rowSum += g[i * cols + j];
      colSum[j] += g[i * cols + j];
    }
    degraded[i] = u[i] / (1 + r.source * rowSum);
  }
  const out = idealCurrents(g, rows, cols, degraded);
  for (let j = 0; j < cols; j++) out[j] /= 1 + r.neuron * colSum[j];
  return out;
}

/**
 * Fast model: the effective conductance matrix geff, so that I_j = sum_i u_i geff(i,j).
 *
 * Derivation (first order in the resistances, then resummed). The row node voltage is the source minus the drops
 * along the row: a(i,j) = u_i - rs * sum_j' I(i,j') - rr * sum_{k=1..j} sum_{j'>=k} I(i,j')
 *                       = u_i - rs * sum_j' I(i,j') - rr * sum_j' I(i,j') * min(j, j').
 * The column node voltage is the drop below it: every current from a cell at row i' flows down through rn and the
 * segments below row max(i, i'), so b(i,j) = sum_i' I(i',j) * R(i,i'), R(i,i') = rn + rc * (M-1-max(i,i')).
 * With the ideal currents I(i,j') ~ g(i,j') u_i on the right-hand side (first order):
 *   a(i,j) ~ u_i (1 - rho(i,j)),  rho(i,j) = rs * sum_j' g(i,j') + rr * sum_j' g(i,j') min(j,j'),
 * and the output I_j = sum_i g(i,j) (a(i,j) - b(i,j)) collects, for each input u_i, g(i,j) u_i (1 - rho - gamma) with
 *   gamma(i,j) = sum_i' g(i',j) R(i',i)   (input i raises every column node it shares a path with).
 * Resumming 1 - rho - gamma as 1 / (1 + rho + gamma) keeps geff positive and is exact for a uniform 2x2 array
 * with source and neuron resistance (I = 2gu / (1 + 2g rs + 2g rn)) and for a uniform 2x2 array with wire
 * resistance only (test/reference/analog/circuit.test.ts derives both by hand); the closed form's product
 * (1 + rs rowSum)(1 + rn colSum) counts the cross term rs rn twice. Both sums use prefix sums: O(MN) per matrix.
 */
export function effectiveConductance(g: Float64Array, rows: number, cols: number, r: CrossbarResistances): Float64Array {
  const rho = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let rowSum = 0;
    for (let j = 0; j < cols; j++) rowSum += g[base + j];
    // sum_j' g(i,j') min(j,j') = (sum_{j'<=j} g j') + j * (sum_{j'>j} g)
    let weightedPrefix = 0;
    let prefix = 0;
    for (let j = 0; j < cols; j++) {
      weightedPrefix += g[base + j] * j;
      prefix += g[base + j];
      rho[base + j] = r.source * rowSum + r.row * (weightedPrefix + j * (rowSum - prefix));
    }
  }
  // sum_i' g(i',j) (M-1-max(i,i')) = (M-1-i) * (sum_{i'<=i} g) + sum_{i'>i} g (M-1-i'); row-major passes with
  // one running sum per column.
  const colSum = new Float64Array(cols);
  const weightedTail = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      colSum[j] += g[i * cols + j];
      weightedTail[j] += g[i * cols + j] * (rows - 1 - i);
    }
  }
  const prefix = new Float64Array(cols);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      const gij = g[base + j];
      prefix[j] += gij;
      weightedTail[j] -= gij * (rows - 1 - i);
      const gamma = r.neuron * colSum[j] + r.col * ((rows - 1 - i) * prefix[j] + weightedTail[j]);
      out[base + j] = gij / (1 + rho[base + j] + gamma);
    }
  }
  return out;
}

/**
 * Smallest normalized resistance the nodal solve uses: a zero source, neuron or wire resistance becomes this tiny
 * resistor (a conductance 10^9 times a device at gMax), which changes currents by about one part in 10^8 per cell.
 */
export const NODAL_MIN_RESISTANCE = 1e-9;

/**
 * The exact nodal solve. Unknowns a(i,j) at index 2(i*N+j) and b(i,j) at 2(i*N+j)+1, so the conductance matrix
 * is banded with half-bandwidth 2N; it is symmetric positive definite (every node reaches the source or ground),
 * factored once by banded Cholesky (cost ~ 8 M N^3) and solved for each input vector (cost ~ 8 M N^2).
 */
export class NodalCrossbar {
  readonly rows: number;
  readonly cols: number;
  private readonly n: number;
  private readonly p: number;
  private readonly band: Float64Array;
  private readonly gs: number;
  private readonly gn: number;

  constructor(g: Float64Array, rows: number, cols: number, r: CrossbarResistances) {
    this.rows = rows;
    this.cols = cols;
    this.n = 2 * rows * cols;
    this.p = 2 * cols;
    const gs = 1 / Math.max(r.source, NODAL_MIN_RESISTANCE);
    const gn = 1 / Math.max(r.neuron, NODAL_MIN_RESISTANCE);
    const gr = 1 / Math.max(r.row, NODAL_MIN_RESISTANCE);
    const gc = 1 / Math.max(r.col, NODAL_MIN_RESISTANCE);
    this.gs = gs;
    this.gn = gn;
    const w = this.p + 1;
    const band = new Float64Array(this.n * w);
    // band[i * w + (j - i + p)] holds A[i][j] for i - p <= j <= i (lower triangle).
    const add = (i: number, j: number, v: number): void => {
      if (j > i) [i, j] = [j, i];
      band[i * w + (j - i + this.p)] += v;
    };
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const a = 2 * (i * cols + j);
        const b = a + 1;
        const gij = g[i * cols + j];
        add(a, a, gij + (j > 0 ? gr : gs) + (j < cols - 1 ? gr : 0));
        add(b, b, gij + (i > 0 ? gc : 0) + (i < rows - 1 ? gc : gn));
        add(a, b, -gij);
        if (j < cols - 1) add(a, a + 2, -gr);
        if (i < rows - 1) add(b, b + 2 * cols, -gc);
      }
    }
    // In-place banded Cholesky: A = L L^T.
    for (let i = 0; i < this.n; i++) {
      const jStart = Math.max(0, i - this.p);
      for (let j = jStart; j <= i; j++) {
        let s = band[i * w + (j - i + this.p)];
        const kStart = Math.max(jStart, j - this.p);
        for (let k = kStart; k < j; k++) s -= band[i * w + (k - i + this.p)] * band[j * w + (k - j + this.p)];
        if (i === j) {
          if (!(s > 0)) throw new Error('nodal solve: conductance matrix is not positive definite');
          band[i * w + this.p] = Math.sqrt(s);
        } else {
          band[i * w + (j - i + this.p)] = s / band[j * w + this.p];
        }
      }
    }
    this.band = band;
  }

  /** Node voltages for row inputs u (normalized), returned as the column output currents. */
  currents(u: ArrayLike<number>): Float64Array {
    const { n, p, band, cols, rows } = this;
    const w = p + 1;
    const x = new Float64Array(n);
    for (let i = 0; i < rows; i++) x[2 * i * cols] = u[i] * this.gs;
    for (let i = 0; i < n; i++) {
      let s = x[i];
      for (let k = Math.max(0, i - p); k < i; k++) s -= band[i * w + (k - i + p)] * x[k];
      x[i] = s / band[i * w + p];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i];
      for (let k = i + 1; k <= Math.min(n - 1, i + p); k++) s -= band[k * w + (i - k + p)] * x[k];
      x[i] = s / band[i * w + p];
    }
    const out = new Float64Array(cols);
    for (let j = 0; j < cols; j++) out[j] = x[2 * ((rows - 1) * cols + j) + 1] * this.gn;
    return out;
  }
}
