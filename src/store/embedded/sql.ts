/** Small SQL-building helpers for the embedded store's filtered queries. */
import type { SqlValue } from './schema.ts';

/**
 * A WHERE clause from optional conditions: each entry is `[sql, value]`, left out when the value is undefined. Every
 * `?` in the entry's SQL is bound to its value (so 'x IS NULL', with none, is included whenever its value is set).
 */
export function whereClause(conditions: readonly (readonly [string, SqlValue | boolean | undefined])[]): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const [sql, value] of conditions) {
    if (value === undefined) continue;
    parts.push(sql);
    const placeholders = sql.split('?').length - 1;
    for (let i = 0; i < placeholders; i++) params.push(typeof value === 'boolean' ? Number(value) : value);
  }
  return { sql: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, params };
}
