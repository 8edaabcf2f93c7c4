import {Column, Entity, PrimaryColumn} from 'typeorm'

/**
 * `signing_keys` (Akkoma since its migration 20240625213637; not in Pleroma):
 * the key pair a local user signs its deliveries with, one row per user, the
 * key id being the actor's ap_id + "#main-key" (Akkoma
 * lib/pleroma/user/signing_key.ex). Registration writes it
 * (Akkoma lib/pleroma/user.ex:827, put_assoc of generate_local_keys); Akkoma
 * later dropped users.keys (20250112000002), so where this table exists a
 * user without a row here cannot sign anything. ON DELETE CASCADE from users.
 */
@Entity({name: 'signing_keys'})
export class SigningKey {
  @PrimaryColumn({name: 'key_id', type: 'text'}) keyId!: string
  @Column({name: 'user_id', type: 'uuid'}) userId!: string
  /** SubjectPublicKeyInfo PEM, as Erlang's pem_encode writes it (ending in a blank line). */
  @Column({name: 'public_key', type: 'text'}) publicKey!: string
  /** PKCS#1 PEM without a trailing newline (secret: never read by default). */
  @Column({name: 'private_key', type: 'text', nullable: true, select: false}) privateKey!: string | null
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}
