import type {MigrationInterface, QueryRunner} from 'typeorm'

/**
 * pleroma-admin's own settings of a database it created (the embedded one, or
 * one made with `db:init`), e.g. the instance URL. Never created in a
 * Pleroma-owned database.
 */
export class AdminSettings1732600000001 implements MigrationInterface {
  name = 'AdminSettings1732600000001'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE pleroma_admin_settings (key varchar(255) PRIMARY KEY, value text NOT NULL)`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pleroma_admin_settings`)
  }
}
