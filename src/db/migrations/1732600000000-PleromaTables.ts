import type {MigrationInterface, QueryRunner} from 'typeorm'

import {PLEROMA_FUNCTION_SIGNATURES, PLEROMA_TABLE_NAMES, PLEROMA_TABLES_DDL, PLEROMA_TYPE_NAMES} from './pleroma-ddl'

/**
 * Creates Pleroma's own tables (v2.9.1 schema, see ./pleroma-ddl.ts) in a
 * database pleroma-admin created itself. Never run on a Pleroma-owned database.
 */
export class PleromaTables1732600000000 implements MigrationInterface {
  name = 'PleromaTables1732600000000'

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of PLEROMA_TABLES_DDL) {
      await queryRunner.query(sql)
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Tables in reverse creation order (their indexes, constraints and owned
    // legacy sequences go with them), then the enum types and functions.
    // The extensions stay: other objects of the database may use them.
    for (const table of [...PLEROMA_TABLE_NAMES].reverse()) {
      await queryRunner.query(`DROP TABLE IF EXISTS "${table}" CASCADE`)
    }
    for (const type of [...PLEROMA_TYPE_NAMES].reverse()) {
      await queryRunner.query(`DROP TYPE IF EXISTS "${type}" CASCADE`)
    }
    for (const fn of [...PLEROMA_FUNCTION_SIGNATURES].reverse()) {
      await queryRunner.query(`DROP FUNCTION IF EXISTS ${fn} CASCADE`)
    }
  }
}
