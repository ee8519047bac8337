/**
 * "Did you mean ...?" for mistyped symbols and trends. Uses the optimal-string-alignment distance (Levenshtein plus
 * adjacent transpositions) because swapped letters are the most common typo: SLO -> SOL is one edit, not two.
 */

/** Edit distance where insert, delete, substitute and swapping two adjacent characters each cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i++) d[i][0] = i;
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidates closest to `input` (ties all returned, in candidate order), or [] when even the best is too far to
 * be a plausible typo: more than 2 edits, or more than half the input's length (so "X" does not suggest "XRP").
 */
export function closestMatches(input: string, candidates: readonly string[]): string[] {
  const needle = input.toUpperCase();
  // Very long input cannot be a typo of a short ticker; skip the quadratic work.
  if (needle.length > 32) return [];
  let best = Infinity;
  let matches: string[] = [];
  for (const c of candidates) {
    const dist = editDistance(needle, c.toUpperCase());
    if (dist < best) {
      best = dist;
      matches = [c];
    } else if (dist === best) {
      matches.push(c);
    }
  }
  const limit = Math.min(2, Math.max(1, Math.floor(needle.length / 2)));
  return best <= limit ? matches : [];
}
