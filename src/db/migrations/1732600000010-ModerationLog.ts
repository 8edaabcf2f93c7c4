import type {MigrationInterface, QueryRunner} from 'typeorm'

/**
 * `moderation_log` in the tool's own databases, as Pleroma's migrations
 * leave it (v2.9.1:priv/repo/migrations/20190818124341_create_moderation_log.exs,
 * 20191026191218_set_not_null_for_moderation_log.exs; timestamps of
 * microsecond precision from `migration_timestamps`, v2.9.1:lib/pleroma/repo.ex:9),
 * so that `--actor` records the same rows there as in a Pleroma database.
 */
export class ModerationLog1732600000010 implements MigrationInterface {
  name = 'ModerationLog1732600000010'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE moderation_log (
      id bigserial NOT NULL,
      data jsonb NOT NULL,
      inserted_at timestamp without time zone NOT NULL,
      updated_at timestamp without time zone NOT NULL,
      CONSTRAINT moderation_log_pkey PRIMARY KEY (id)
    )`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE moderation_log`)
  }
}
