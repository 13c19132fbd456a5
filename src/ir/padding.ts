// Zero padding of a conv or pool window, per side. Only the top and left sides move where windows start; the
// bottom and right sides only add output rows and columns (positions past the plane read zero like any other).
export interface Padding {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export function uniformPadding(pad: number): Padding {
  return { top: pad, left: pad, bottom: pad, right: pad };
}

/** The one pad of every side, or undefined when the sides differ. */
export function symmetricPad(p: Padding): number | undefined {
  return p.top === p.left && p.top === p.bottom && p.top === p.right ? p.top : undefined;
}

export function hasPadding(p: Padding): boolean {
  return p.top + p.left + p.bottom + p.right > 0;
}

export function largestPad(p: Padding): number {
  return Math.max(p.top, p.left, p.bottom, p.right);
}

/** Output size along one axis: windows of `kernel` every `stride` over `size` plus the padding of both sides. */
export function windowCount(size: number, before: number, after: number, kernel: number, stride: number): number {
  return Math.floor((size + before + after - kernel) / stride) + 1;
}

/** `1` for a symmetric pad, else `top,left,bottom,right` (reports and schedule headers). */
export function paddingText(p: Padding): string {
  const s = symmetricPad(p);
  return s !== undefined ? String(s) : `${p.top},${p.left},${p.bottom},${p.right}`;
}
