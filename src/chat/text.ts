/** Splitting long text for platforms with a per-message size limit. */

/**
 * Splits text into chunks of at most `limit` characters, preferring line breaks, then spaces, and cutting hard only
 * inside a single over-long word. Never returns an empty array for non-empty input.
 */
export function splitText(text: string, limit: number): string[] {
  if (limit < 1) throw new RangeError(`limit must be >= 1, got ${limit}`);
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    let cut = window.lastIndexOf('\n');
    if (cut <= 0) cut = window.lastIndexOf(' ');
    if (cut <= 0) cut = limit;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}
