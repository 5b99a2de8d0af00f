// Small helpers for writing markup by hand: escaping, compact numbers and the
// axis step. The reports are strings built without a template library so the
// HTML stays one self-contained file with nothing fetched at run time.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and double- or single-quoted attributes. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

/** One decimal at most: coordinates need no more, and every byte counts at 1,000 events. */
export function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** Simulated time for people: "850 ms", "12.5 s". */
export function formatMs(ms: number): string {
  if (Math.abs(ms) < 1000) return `${ms} ms`;
  return `${Number((ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 2))} s`;
}

/** The smallest 1-2-5 step (ms) whose ticks land at least `minGapPx` apart. */
export function axisStepMs(pxPerMs: number, minGapPx: number): number {
  const wanted = minGapPx / Math.max(pxPerMs, 1e-9);
  let magnitude = 1;
  while (magnitude * 10 <= wanted) magnitude *= 10;
  for (const factor of [1, 2, 5, 10]) if (magnitude * factor >= wanted) return magnitude * factor;
  return magnitude * 10;
}

export function axisLabel(ms: number, stepMs: number): string {
  if (stepMs >= 1000) return `${ms / 1000} s`;
  const digits = Math.max(0, Math.ceil(-Math.log10(stepMs / 1000)));
  return `${(ms / 1000).toFixed(digits)} s`;
}
