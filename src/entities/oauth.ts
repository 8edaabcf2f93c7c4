import {Column, Entity, PrimaryGeneratedColumn} from 'typeorm'

/** `apps` (docs/pleroma/schema.md#apps): OAuth clients. */
@Entity({name: 'apps'})
export class App {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'client_name', type: 'varchar', length: 255}) clientName!: string
  @Column({name: 'redirect_uris', type: 'varchar', length: 255}) redirectUris!: string
  @Column({type: 'varchar', length: 255, array: true, default: () => 'ARRAY[]::character varying[]'}) scopes!: string[]
  @Column({type: 'varchar', length: 255, nullable: true}) website!: string | null
  @Column({name: 'client_id', type: 'varchar', length: 255, nullable: true}) clientId!: string | null
  @Column({name: 'client_secret', type: 'varchar', length: 255, nullable: true, select: false}) clientSecret!: string | null
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
  @Column({type: 'boolean', nullable: true, default: false}) trusted!: boolean | null
  /** The app's owner: Pleroma 2.5+ and Akkoma (20210818023112, ON DELETE CASCADE), not 2.3/2.4; never selected. */
  @Column({name: 'user_id', type: 'uuid', nullable: true, select: false}) userId!: string | null
}

/** `oauth_tokens` (docs/pleroma/schema.md#oauth_tokens); user_id NULL = client-credentials token. */
@Entity({name: 'oauth_tokens'})
export class OAuthToken {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'app_id', type: 'bigint'}) appId!: string
  @Column({name: 'user_id', type: 'uuid', nullable: true}) userId!: string | null
  @Column({type: 'varchar', length: 255, nullable: true, select: false}) token!: string | null
  @Column({name: 'refresh_token', type: 'varchar', length: 255, nullable: true, select: false}) refreshToken!: string | null
  @Column({name: 'valid_until', type: 'timestamp', nullable: true}) validUntil!: Date | null
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
  @Column({type: 'varchar', length: 255, array: true}) scopes!: string[]
}

/** `oauth_authorizations` (docs/pleroma/schema.md#oauth_authorizations). */
@Entity({name: 'oauth_authorizations'})
export class OAuthAuthorization {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'app_id', type: 'bigint'}) appId!: string
  @Column({name: 'user_id', type: 'uuid', nullable: true}) userId!: string | null
  @Column({type: 'varchar', length: 255, select: false}) token!: string
  @Column({name: 'valid_until', type: 'timestamp', nullable: true}) validUntil!: Date | null
  @Column({type: 'boolean', default: false}) used!: boolean
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
  @Column({type: 'varchar', length: 255, array: true}) scopes!: string[]
}
