/** Exit statuses of every imcc command (`imcc diff` follows git: 0 equal, 1 different, 2 error). */
export const EXIT = {
  ok: 0,
  /** Bad input: diagnostics were printed. */
  badInput: 1,
  /** Bad usage: unknown option, missing argument. */
  usage: 2,
  /** A bug in imcc: a short message asking for a report. */
  internal: 70,
} as const;
