/**
 * A fingerprint of every table of a database, to compare the end state of
 * two runs of a command on copies of one seeded database (an interrupted
 * run finished by a re-run, and an uninterrupted one).
 *
 * All rows of all tables are read with one query (each row as JSON text).
 * What a command makes up afresh at every run cannot be equal between two
 * runs and is replaced by a placeholder: timestamps and uuids that do not
 * occur in the seeded database (a new row's FlakeId, the random ap_id of a
 * Delete activity, `updated_at = now`), and integer ids above the seeded
 * maximum of their table (sequences are not rolled back with a killed
 * transaction). Everything else must be equal, row for row: a row too many,
 * a counter off by one, a follow left behind all show.
 */
import {createHash} from 'node:crypto'

export type Sql = <T = any>(query: string, params?: unknown[]) => Promise<T[]>

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const TIMESTAMP = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d(:?\d\d)?)?/g

/** The tables of the current schema (one query). */
export async function listTables(sql: Sql): Promise<string[]> {
  const rows = await sql<{t: string}>(
    `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`,
  )
  return rows.map((r) => r.t)
}

/** Every row of every table, as JSON text, grouped by table and sorted. One query. */
export async function readAllRows(sql: Sql, tables: string[]): Promise<Record<string, string[]>> {
  const query = tables.map((t) => `SELECT ${quoteLiteral(t)} AS t, to_jsonb(x)::text AS r FROM ${quoteIdent(t)} x`).join('\nUNION ALL\n')
  const out: Record<string, string[]> = Object.fromEntries(tables.map((t) => [t, [] as string[]]))
  for (const row of await sql<{t: string; r: string}>(query)) out[row.t].push(row.r)
  for (const t of tables) out[t].sort()
  return out
}

/** What the seeded database holds: the volatile-looking values it already has, and each table's largest integer id. */
export interface Baseline {
  known: Set<string>
  maxId: Record<string, number>
}

export function baselineOf(rows: Record<string, string[]>): Baseline {
  const known = new Set<string>()
  const maxId: Record<string, number> = {}
  for (const [t, list] of Object.entries(rows)) {
    maxId[t] = 0
    for (const r of list) {
      for (const m of r.matchAll(UUID)) known.add(m[0].toLowerCase())
      for (const m of r.matchAll(TIMESTAMP)) known.add(m[0])
      const id = (JSON.parse(r) as {id?: unknown}).id
      if (typeof id === 'number' && id > maxId[t]) maxId[t] = id
    }
  }
  return {known, maxId}
}

/** The rows with values made afresh by a run replaced by placeholders, sorted again. */
export function normalise(rows: Record<string, string[]>, baseline: Baseline): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [t, list] of Object.entries(rows)) {
    out[t] = list
      .map((r) => {
        const row = JSON.parse(r) as Record<string, unknown>
        if (typeof row.id === 'number' && row.id > (baseline.maxId[t] ?? 0)) row.id = '<new id>'
        return JSON.stringify(row)
          .replace(UUID, (u) => (baseline.known.has(u.toLowerCase()) ? u : '<new uuid>'))
          .replace(TIMESTAMP, (s) => (baseline.known.has(s) ? s : '<now>'))
      })
      .sort()
  }
  return out
}

/** md5 of each table's normalised rows. */
export function digest(rows: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(rows).map(([t, list]) => [t, createHash('md5').update(list.join('\n')).digest('hex')]))
}

/**
 * The tables whose rows differ: a row changed (same id on both sides) as its
 * differing columns, the others whole (a few of each), for a readable failure.
 */
export function differences(a: Record<string, string[]>, b: Record<string, string[]>, limit = 5): Record<string, TableDifference> {
  const out: Record<string, TableDifference> = {}
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const left = multiset(a[t] ?? [])
    const right = multiset(b[t] ?? [])
    const onlyLeft: string[] = []
    const onlyRight: string[] = []
    for (const [r, n] of left) for (let i = 0; i < n - (right.get(r) ?? 0); i++) onlyLeft.push(r)
    for (const [r, n] of right) for (let i = 0; i < n - (left.get(r) ?? 0); i++) onlyRight.push(r)
    if (onlyLeft.length === 0 && onlyRight.length === 0) continue
    const parse = (r: string) => JSON.parse(r) as Record<string, unknown>
    const rightById = new Map(onlyRight.map((r) => [JSON.stringify(parse(r).id), r]))
    const changed: TableDifference['changed'] = []
    const leftOver: string[] = []
    for (const r of onlyLeft) {
      const l = parse(r)
      const match = l.id !== undefined && l.id !== '<new id>' ? rightById.get(JSON.stringify(l.id)) : undefined
      if (!match) {
        leftOver.push(r)
        continue
      }
      rightById.delete(JSON.stringify(l.id))
      const other = parse(match)
      const columns: Record<string, [unknown, unknown]> = {}
      for (const k of new Set([...Object.keys(l), ...Object.keys(other)])) {
        if (JSON.stringify(l[k]) !== JSON.stringify(other[k])) columns[k] = [l[k], other[k]]
      }
      changed.push({id: l.id, columns})
    }
    out[t] = {
      rows: {left: onlyLeft.length, right: onlyRight.length},
      changed: changed.slice(0, limit),
      onlyLeft: leftOver.slice(0, limit),
      onlyRight: [...rightById.values()].slice(0, limit),
    }
  }
  return out
}

export interface TableDifference {
  /** How many rows each side has that the other has not. */
  rows: {left: number; right: number}
  /** Rows present on both sides (by id) with other values: the columns that differ, [left, right]. */
  changed: Array<{id: unknown; columns: Record<string, [unknown, unknown]>}>
  onlyLeft: string[]
  onlyRight: string[]
}

function multiset(list: string[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const r of list) m.set(r, (m.get(r) ?? 0) + 1)
  return m
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`
}
