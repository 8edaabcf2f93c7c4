/**
 * Which database are we looking at? Decided by inspecting tables and columns,
 * never by migration numbers (docs/pleroma/schema.md#detecting-the-generation). The catalog (pg_class,
 * pg_attribute) is read rather than information_schema, which hides tables
 * the connecting role has no privilege on — a role without rights would
 * otherwise see an "empty" database instead of getting "permission denied".
 */
import {DatabaseError, RefusedError} from '../errors'

export const TOOL_MIGRATIONS_TABLE = 'pleroma_admin_migrations'

export type SchemaOwner = 'pleroma' | 'tool'

export interface SchemaInfo {
  owner: SchemaOwner
  tables: Set<string>
  userColumns: Set<string>
}

export type Detected = {state: 'empty'} | {state: 'tool'; tables: Set<string>} | {state: 'pleroma'; tables: Set<string>; userColumns: Set<string>}

type Query = (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>

/** Columns of the older generations; any of them means "too old". */
const OLD_USER_COLUMNS: Record<string, string> = {
  info: 'users.info (Pleroma before 1.1)',
  deactivated: 'users.deactivated',
  confirmation_pending: 'users.confirmation_pending',
  approval_pending: 'users.approval_pending',
  locked: 'users.locked',
}
/**
 * What every Pleroma database has had since its first migrations, whatever
 * its generation (docs/pleroma/schema.md#pleroma-owned-databases): the tables
 * users, activities and objects (the latter two with a jsonb `data`) and
 * users.nickname and users.ap_id (v2.9.1:priv/repo/migrations/20170320193800_create_user.exs,
 * 20170321074828_create_activity.exs, 20170321074832_create_object.exs,
 * 20170321143152_add_ap_id_to_users.exs).
 */
const PLEROMA_TABLES = ['activities', 'objects']
const PLEROMA_USER_COLUMNS = ['nickname', 'ap_id']
const REQUIRED_USER_COLUMNS = ['id', 'nickname', 'ap_id', 'local', 'is_active', 'is_confirmed', 'is_approved', 'is_locked']

export async function listTables(query: Query): Promise<Set<string>> {
  const rows = await query(
    `SELECT c.relname AS table_name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`,
  )
  return new Set(rows.map((r) => String(r.table_name)))
}

export async function listColumns(query: Query, table: string): Promise<Set<string>> {
  const rows = await query(
    `SELECT a.attname AS column_name FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped`,
    [table],
  )
  return new Set(rows.map((r) => String(r.column_name)))
}

export async function detectSchema(query: Query): Promise<Detected> {
  const tables = await listTables(query)
  if (tables.size === 0) return {state: 'empty'}
  if (tables.has(TOOL_MIGRATIONS_TABLE)) return {state: 'tool', tables}
  if (!tables.has('schema_migrations') || !tables.has('users')) {
    throw new DatabaseError(
      'This database is not empty and is not a Pleroma database (no schema_migrations and users tables).',
      'Point --database-url (or DATABASE_URL) at the database of your Pleroma or Akkoma server.',
    )
  }
  const userColumns = await listColumns(query, 'users')
  // Another application's Ecto (or Rails) database has schema_migrations and users too: only Pleroma's own
  // tables and columns make it Pleroma's (docs/pleroma/schema.md#pleroma-owned-databases). Nothing is written before this.
  const missing = [
    ...PLEROMA_TABLES.filter((t) => !tables.has(t)).map((t) => `no ${t} table`),
    ...PLEROMA_USER_COLUMNS.filter((c) => !userColumns.has(c)).map((c) => `no users.${c}`),
  ]
  for (const t of ['activities', 'objects'].filter((x) => tables.has(x))) {
    if (!(await listColumns(query, t)).has('data')) missing.push(`no ${t}.data`)
  }
  if (missing.length > 0) {
    throw new DatabaseError(
      `This database is not a Pleroma database: it has schema_migrations and users, but ${missing.join(', ')}.`,
      'Point --database-url (or DATABASE_URL) at the database of your Pleroma or Akkoma server; nothing was written.',
    )
  }
  checkUserColumns(userColumns)
  return {state: 'pleroma', tables, userColumns}
}

export function checkUserColumns(userColumns: Set<string>): void {
  const old = Object.keys(OLD_USER_COLUMNS).filter((c) => userColumns.has(c))
  const missing = REQUIRED_USER_COLUMNS.filter((c) => !userColumns.has(c))
  if (old.length > 0 || missing.length > 0) {
    const found = old.length > 0 ? `it has ${old.map((c) => OLD_USER_COLUMNS[c]).join(', ')}` : `it lacks users.${missing.join(', users.')}`
    throw new RefusedError(
      `This Pleroma database is of an older schema generation (${found}); pleroma-admin needs Pleroma 2.3.0 or later, or Akkoma.`,
      'Upgrade Pleroma and run its migrations (pleroma_ctl migrate) first; pleroma-admin never migrates a Pleroma database.',
    )
  }
}

export type ServerFamily = 'pleroma' | 'akkoma'

/**
 * Which server a Pleroma-owned database belongs to, from what only Akkoma's
 * migrations create (docs/live-instance.md#pleroma-or-akkoma): the table
 * `user_frontend_setting_profiles` (Akkoma 20220911195347) or the column
 * `users.status_ttl_days` (Akkoma 20221128103145). Neither exists in any
 * Pleroma release.
 */
export function serverFamily(schema: Pick<SchemaInfo, 'tables' | 'userColumns'>): ServerFamily {
  return schema.tables.has('user_frontend_setting_profiles') || schema.userColumns.has('status_ttl_days') ? 'akkoma' : 'pleroma'
}
