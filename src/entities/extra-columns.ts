/**
 * Columns that the entities leave unmapped on purpose, for the hand-written
 * SQL that writes them: TypeORM would select (and insert) every mapped
 * column, and these are columns it should never read, or that some
 * supported server lacks. A statement that writes one checks first that the
 * server has it (SchemaInfo.userColumns, or the catalog). Each name is
 * written here once, as the entities' own names are in their decorators.
 */

/** `users` columns written only by user:rm's purge (and pinned_objects, by user:delete-activities too). */
export const USER_EXTRA_COLUMNS = {
  rawBio: 'raw_bio',
  avatar: 'avatar',
  banner: 'banner',
  background: 'background',
  mascot: 'mascot',
  emoji: 'emoji',
  fields: 'fields',
  rawFields: 'raw_fields',
  pleromaSettingsStore: 'pleroma_settings_store',
  domainBlocks: 'domain_blocks',
  alsoKnownAs: 'also_known_as',
  isDiscoverable: 'is_discoverable',
  lastRefreshedAt: 'last_refreshed_at',
  lastDigestEmailedAt: 'last_digest_emailed_at',
  registrationReason: 'registration_reason',
  /** The object ap_ids a user pinned, as a JSON object ap_id → pin time (Pleroma 20210202110641). */
  pinnedObjects: 'pinned_objects',
} as const

/** `apps.user_id`: the app's owner (Pleroma and Akkoma 20210818023112, ON DELETE CASCADE; missing on older servers). */
export const APP_EXTRA_COLUMNS = {
  userId: 'user_id',
} as const
