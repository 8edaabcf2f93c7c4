/**
 * The rows of an `UPDATE ... RETURNING` built with TypeORM's query builder,
 * as entity properties: TypeORM gives them as raw rows keyed by column
 * name (`UpdateResult.raw`); these are mapped back through the entity's
 * metadata, each value as the driver hydrates it for its column.
 *
 *     const [row] = await updateReturning(
 *       m.createQueryBuilder().update(User).set({isActive: false}).where('id = :id', {id}),
 *       ['nickname', 'isActive'],
 *     )
 */
import type {ObjectLiteral, UpdateQueryBuilder} from 'typeorm'

export async function updateReturning<E extends ObjectLiteral, K extends keyof E & string>(
  qb: UpdateQueryBuilder<E>,
  properties: readonly K[],
): Promise<Array<Pick<E, K>>> {
  const metadata = qb.expressionMap.mainAlias!.metadata
  const columns = properties.map((property) => {
    const column = metadata.findColumnWithPropertyPath(property)
    if (!column) throw new Error(`${metadata.name} maps no column ${property}`)
    return column
  })
  const result = await qb.returning([...properties]).execute()
  const driver = qb.connection.driver
  return (result.raw as Array<Record<string, unknown>>).map((row) => {
    const entity: Partial<Pick<E, K>> = {}
    for (const column of columns) entity[column.propertyName as K] = driver.prepareHydratedValue(row[column.databaseName], column) as E[K]
    return entity as Pick<E, K>
  })
}
