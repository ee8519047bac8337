/**
 * Pagination rules shared by both store implementations, so that `limit`/`offset` mean the same thing everywhere:
 * limit defaults to 50 and is capped at 1000; offset defaults to 0.
 */
import type { Page, PageRequest } from './ports.ts';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 1000;

export interface NormalizedPage {
  readonly limit: number;
  readonly offset: number;
}

export function normalizePage(req: PageRequest = {}): NormalizedPage {
  const limit = req.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = req.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit must be a positive integer, got ${String(limit)}`);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`page offset must be a non-negative integer, got ${String(offset)}`);
  return { limit: Math.min(limit, MAX_PAGE_LIMIT), offset };
}

/** Builds a Page from one page of items and the total number of matches. */
export function pageOf<T>(items: T[], total: number, page: NormalizedPage, rowsRead = items.length): Page<T> {
  // rowsRead: rows the page covered, including damaged records a list left out (the next page starts after them).
  const end = page.offset + rowsRead;
  return { items, total, nextOffset: end < total ? end : null };
}

/** Slices an already filtered and sorted array (the embedded store filters in memory). */
export function slicePage<T>(all: readonly T[], page: NormalizedPage): Page<T> {
  return pageOf(all.slice(page.offset, page.offset + page.limit), all.length, page);
}
