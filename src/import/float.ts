// The importer's float interpreter: runs the imported graph (BN already folded) in double precision, the way the
// ONNX model computes it. Calibration reads its activations; `imcc evaluate --onnx` uses it as the float reference
// (onnxruntime-node downloads its binaries in an install script, so it is not used; docs/import.md).
import type { ImportGraph, ImportLayer, Shape3 } from './graph.js';

export type FloatValues = Map<string, Float64Array>;

// Each output pixel's receptive field is gathered once into a row of `patches` (zero where the window hangs over the
// padding), so every output is one contiguous dot product of a weight row with a patch row, summed in the order
// c, ky, kx like the direct loop. Calibrating a ResNet-18 spends its time here; looping over the window inside the
// pixel loop was 3-4x slower on its small late-stage feature maps (bench/import.ts).
function conv(x: Float64Array, s: Shape3, layer: ImportLayer): Float64Array {
  if (layer.op.kind !== 'conv') throw new Error('conv: not a conv layer');
  const { weight, bias, outChannels, inChannels, kernelHeight: fh, kernelWidth: fw, stride, pad } = layer.op;
  const { height: oh, width: ow } = layer.shape;
  const { height: ih, width: iw } = s;
  const k = inChannels * fh * fw;
  const pixels = oh * ow;
  const patches = new Float64Array(pixels * k);
  for (let y = 0; y < oh; y++) {
    for (let xo = 0; xo < ow; xo++) {
      let at = (y * ow + xo) * k;
      for (let c = 0; c < inChannels; c++) {
        for (let ky = 0; ky < fh; ky++) {
          const iy = y * stride + ky - pad;
          const inside = iy >= 0 && iy < ih;
          const row = (c * ih + iy) * iw;
          for (let kx = 0; kx < fw; kx++, at++) {
            const ix = xo * stride + kx - pad;
            if (inside && ix >= 0 && ix < iw) patches[at] = x[row + ix];
          }
        }
      }
    }
  }
  const out = new Float64Array(outChannels * pixels);
  // Four output channels per pass over a patch row: each patch value is loaded once for four products.
  let o = 0;
  for (; o + 4 <= outChannels; o += 4) {
    const w0 = o * k;
    const w1 = w0 + k;
    const w2 = w1 + k;
    const w3 = w2 + k;
    for (let p = 0; p < pixels; p++) {
      const at = p * k;
      let a0 = bias[o];
      let a1 = bias[o + 1];
      let a2 = bias[o + 2];
      let a3 = bias[o + 3];
      for (let i = 0; i < k; i++) {
        const v = patches[at + i];
        a0 += weight[w0 + i] * v;
        a1 += weight[w1 + i] * v;
        a2 += weight[w2 + i] * v;
        a3 += weight[w3 + i] * v;
      }
      out[o * pixels + p] = a0;
      out[(o + 1) * pixels + p] = a1;
      out[(o + 2) * pixels + p] = a2;
      out[(o + 3) * pixels + p] = a3;
    }
  }
  for (; o < outChannels; o++) {
    const w = o * k;
    for (let p = 0; p < pixels; p++) {
      const at = p * k;
      let acc = bias[o];
      for (let i = 0; i < k; i++) acc += weight[w + i] * patches[at + i];
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
          const iy = y * stride + ky - pad;
          if (iy < 0 || iy >= s.height) continue;
          for (let kx = 0; kx < size; kx++) {
            const ix = xo * stride + kx - pad;
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
