/** Index of the first element where two arrays differ (-1 when equal, -2 when their lengths differ). Cheaper than a
 *  deep toEqual on large typed arrays; tests assert it is -1 and name the tensor. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
