// The importer's float interpreter: runs the imported graph (BN already folded) in double precision, the way the
// ONNX model computes it. Calibration reads its activations; `imcc evaluate --onnx` uses it as the float reference
// (onnxruntime-node downloads its binaries in an install script, so it is not used; docs/import.md).
import type { ImportGraph, ImportLayer, Shape3 } from './graph.js';

export type FloatValues = Map<string, Float64Array>;

// Each output pixel's receptive field is gathered once, keeping only its non-zero values (after a ReLU about half
// are zero, and the padding always is) with their positions in c, ky, kx order; every output is then the bias plus
// those products summed in that order. Skipping a zero product leaves every sum unchanged (adding w * 0 changes at
// most the sign of a zero sum, which no consumer of these values sees: they square it, take |x| or compare it with
// 0). Eight output channels share each load of a gathered value, and one group's weight rows stay in cache while
// every pixel reads them. Calibrating a ResNet-18 spends its time here; this is 1.5x the im2col loop it replaced,
// which multiplied the zeros too (bench/import.ts).
function conv(x: Float64Array, s: Shape3, layer: ImportLayer): Float64Array {
  if (layer.op.kind !== 'conv') throw new Error('conv: not a conv layer');
  const { weight, bias, outChannels, inChannels, kernelHeight: fh, kernelWidth: fw, stride, pad } = layer.op;
  const { height: oh, width: ow } = layer.shape;
  const { height: ih, width: iw } = s;
  const k = inChannels * fh * fw;
  const pixels = oh * ow;
  const full8 = outChannels - (outChannels % 8);
  // Per pixel: its non-zero inputs (values, and their positions in c, ky, kx order) from entry p * k on.
  const values = new Float64Array(pixels * k);
  const offsets = new Int32Array(pixels * k);
  const counts = new Int32Array(pixels);
  for (let y = 0; y < oh; y++) {
    for (let xo = 0; xo < ow; xo++) {
      const p = y * ow + xo;
      let nz = p * k;
      let at = 0;
      for (let c = 0; c < inChannels; c++) {
        for (let ky = 0; ky < fh; ky++) {
          const iy = y * stride + ky - pad.top;
          const inside = iy >= 0 && iy < ih;
          const row = (c * ih + iy) * iw;
          for (let kx = 0; kx < fw; kx++, at++) {
            const ix = xo * stride + kx - pad.left;
            if (!inside || ix < 0 || ix >= iw) continue;
            const v = x[row + ix];
            if (v !== 0) {
              values[nz] = v;
              offsets[nz++] = at;
            }
          }
        }
      }
      counts[p] = nz - p * k;
    }
  }
  const out = new Float64Array(outChannels * pixels);
  // Output channels outer, pixels inner: one group's weights stay in cache while every pixel reads them.
  let o = 0;
  for (; o < full8; o += 8) {
    const w0 = o * k;
    const w1 = w0 + k;
    const w2 = w1 + k;
    const w3 = w2 + k;
    const w4 = w3 + k;
    const w5 = w4 + k;
    const w6 = w5 + k;
    const w7 = w6 + k;
    for (let p = 0; p < pixels; p++) {
      let a0 = bias[o];
      let a1 = bias[o + 1];
      let a2 = bias[o + 2];
      let a3 = bias[o + 3];
      let a4 = bias[o + 4];
      let a5 = bias[o + 5];
      let a6 = bias[o + 6];
      let a7 = bias[o + 7];
      const end = p * k + counts[p];
      for (let j = p * k; j < end; j++) {
        const v = values[j];
        const i = offsets[j];
        a0 += weight[w0 + i] * v;
        a1 += weight[w1 + i] * v;
        a2 += weight[w2 + i] * v;
        a3 += weight[w3 + i] * v;
        a4 += weight[w4 + i] * v;
        a5 += weight[w5 + i] * v;
        a6 += weight[w6 + i] * v;
        a7 += weight[w7 + i] * v;
      }
      out[o * pixels + p] = a0;
      out[(o + 1) * pixels + p] = a1;
      out[(o + 2) * pixels + p] = a2;
      out[(o + 3) * pixels + p] = a3;
      out[(o + 4) * pixels + p] = a4;
      out[(o + 5) * pixels + p] = a5;
      out[(o + 6) * pixels + p] = a6;
      out[(o + 7) * pixels + p] = a7;
    }
  }
  for (; o < outChannels; o++) {
    const g = o * k;
    for (let p = 0; p < pixels; p++) {
      let acc = bias[o];
      const end = p * k + counts[p];
      for (let j = p * k; j < end; j++) acc += weight[g + offsets[j]] * values[j];
      out[o * pixels + p] = acc;
    }
  }
  return out;
}

function pool(x: Float64Array, s: Shape3, layer: ImportLayer): Float64Array {
  if (layer.op.kind !== 'maxpool' && layer.op.kind !== 'avgpool') throw new Error('pool: not a pool layer');
  const { size, stride, pad, kind } = layer.op;
  const { height: oh, width: ow } = layer.shape;
  const out = new Float64Array(s.channels * oh * ow);
  for (let c = 0; c < s.channels; c++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        let best = -Infinity;
        let sum = 0;
        for (let ky = 0; ky < size; ky++) {
          const iy = y * stride + ky - pad.top;
          if (iy < 0 || iy >= s.height) continue;
          for (let kx = 0; kx < size; kx++) {
            const ix = xo * stride + kx - pad.left;
            if (ix < 0 || ix >= s.width) continue;
            const v = x[(c * s.height + iy) * s.width + ix];
            best = Math.max(best, v);
            sum += v;
          }
        }
        out[(c * oh + y) * ow + xo] = kind === 'maxpool' ? best : sum / (size * size);
      }
    }
  }
  return out;
}

/** Every layer's float value for one CHW image. A requant layer's value is its weight layer's (it is exact here). */
export function runFloat(graph: ImportGraph, image: Float64Array): FloatValues {
  const values: FloatValues = new Map();
  const shapes = new Map(graph.layers.map((l) => [l.name, l.shape]));
  for (const layer of graph.layers) {
    const x = values.get(layer.inputs[0]) ?? image;
    const s = shapes.get(layer.inputs[0]) ?? layer.shape;
    let v: Float64Array;
    switch (layer.op.kind) {
      case 'input':
        v = image;
        break;
      case 'conv':
        v = conv(x, s, layer);
        break;
      case 'fc': {
        const { weight, bias, outFeatures, inFeatures } = layer.op;
        v = new Float64Array(outFeatures);
        for (let o = 0; o < outFeatures; o++) {
          let acc = bias[o];
          for (let i = 0; i < inFeatures; i++) acc += weight[o * inFeatures + i] * x[i];
          v[o] = acc;
        }
        break;
      }
      case 'requant':
      case 'flatten':
        v = x;
        break;
      case 'relu': {
        const clip = layer.op.clip ?? Infinity;
        v = x.map((a) => (a > 0 ? Math.min(a, clip) : 0));
        break;
      }
      case 'threshold': {
        const { level, strict } = layer.op;
        v = x.map((a) => (strict ? a > level : a >= level) ? 1 : 0);
        break;
      }
      case 'maxpool':
      case 'avgpool':
        v = pool(x, s, layer);
        break;
      case 'gap': {
        const n = s.height * s.width;
        v = new Float64Array(s.channels);
        for (let c = 0; c < s.channels; c++) {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += x[c * n + i];
          v[c] = sum / n;
        }
        break;
      }
      case 'add': {
        const b = values.get(layer.inputs[1])!;
        v = x.map((a, i) => a + b[i]);
        break;
      }
    }
    values.set(layer.name, v);
  }
  return values;
}
