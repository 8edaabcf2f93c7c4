/**
 * Table and column names for the set-based SQL that services write by hand,
 * taken from the entities' own metadata (the @Entity and @Column decorators),
 * so that a name is written once, in the entity. For example:
 *
 *     const U = columnsOf(User)
 *     `UPDATE ${tableOf(User)} SET ${U.isActive} = false WHERE ${U.id} = ANY($1::uuid[])`
 *
 * Asking for a property the entity does not map throws at once (a typo is
 * not turned into SQL).
 */
import {getMetadataArgsStorage} from 'typeorm'

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM keys its metadata by the class object (its own EntityTarget is Function too)
type EntityClass = Function

export type ColumnNames<E> = {readonly [K in Exclude<keyof E, symbol | number>]-?: string}

const tables = new Map<EntityClass, string>()
const columns = new Map<EntityClass, Record<string, string>>()

/** The table an entity maps. */
export function tableOf(entity: EntityClass): string {
  let name = tables.get(entity)
  if (name === undefined) {
    const table = getMetadataArgsStorage().tables.find((t) => t.target === entity)
    if (!table?.name) throw new Error(`${entity.name} is not an entity with a table name`)
    name = table.name
    tables.set(entity, name)
  }
  return name
}

/** Every mapped column's name, by property (read-only; unknown properties throw). */
export function columnsOf<E>(entity: new () => E): ColumnNames<E> {
  let names = columns.get(entity)
  if (!names) {
    const map: Record<string, string> = {}
    for (const c of getMetadataArgsStorage().filterColumns(entity)) map[c.propertyName] = c.options.name ?? c.propertyName
    names = map
    columns.set(entity, names)
  }
  const known = names
  return new Proxy(known, {
    get(target, property) {
      if (typeof property !== 'string' || !(property in target)) throw new Error(`${entity.name} maps no column ${String(property)}`)
      return target[property]
    },
    set() {
      throw new Error('column names are read-only')
    },
  }) as unknown as ColumnNames<E>
}

/**
 * The columns an entity reads by default (not those marked `select: false`,
 * such as secrets), as `alias.column`, in the entity's order: a select list
 * for hand-written SQL that returns the entity's shape.
 */
export function selectableColumns<E>(entity: new () => E): Array<{property: keyof E & string; column: string}> {
  return getMetadataArgsStorage()
    .filterColumns(entity)
    .filter((c) => c.options.select !== false)
    .map((c) => ({property: c.propertyName as keyof E & string, column: c.options.name ?? c.propertyName}))
}
