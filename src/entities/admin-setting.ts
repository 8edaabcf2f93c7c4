import {Column, Entity, PrimaryColumn} from 'typeorm'

/**
 * `pleroma_admin_settings`: pleroma-admin's own settings (e.g. the instance
 * URL), in a database the tool created itself (the embedded one, or one
 * made with db:init; migration 1732600000001-AdminSettings). A Pleroma
 * database has no such table (`SchemaInfo.tables` tells).
 */
@Entity({name: 'pleroma_admin_settings'})
export class AdminSetting {
  @PrimaryColumn({type: 'varchar', length: 255}) key!: string
  @Column({type: 'text'}) value!: string
}
