// imcc optimize --json: `{strategy, front: [{cores, throughputImagesPerSecond, latencyTimesteps, maxLinkGbps}], chosen:
// {..., replicas: {layer: n}, rtl: {latencyTimesteps, throughputImagesPerSecond}}}`, validated against schemas/optimize.schema.json. Rounded as simulate --json rounds.
import { validateJson } from '../support/schema.js';
import type { FrontPoint, OptimizeResult, RtlTiming } from './optimize.js';

const round = (x: number, decimals: number): number => Math.round(x * 10 ** decimals) / 10 ** decimals;

export interface OptimizeJson {
  strategy: string;
  front: FrontPoint[];
  chosen: FrontPoint & { replicas: Record<string, number>; rtl: RtlTiming };
}

const figures = (p: FrontPoint): FrontPoint => ({
  cores: p.cores,
  throughputImagesPerSecond: round(p.throughputImagesPerSecond, 1),
  latencyTimesteps: p.latencyTimesteps,
  maxLinkGbps: round(p.maxLinkGbps, 3),
});

export function optimizeJson(result: OptimizeResult): OptimizeJson {
  const json: OptimizeJson = {
    strategy: result.strategy,
    front: result.front.map(figures),
    chosen: {
      ...figures(result.chosen),
      replicas: Object.fromEntries([...result.chosen.layers].map(([l, c]) => [l, c.replicas])),
      rtl: {
        latencyTimesteps: result.chosen.rtl.latencyTimesteps,
        throughputImagesPerSecond: round(result.chosen.rtl.throughputImagesPerSecond, 1),
      },
    },
  };
  validateJson('optimize', json);
  return json;
}
