/** The tags of a deletion with a grace period (grace.ts), in a module of their own: users.ts and prune.ts read them too. */

/** The tag that says when the account's deletion falls due: `pleroma-admin:delete-after:2026-12-10T17:00:00Z`. */
export const PENDING_DELETION_PREFIX = 'pleroma-admin:delete-after:'
/** The tag that says the account was inactive before its grace period began. */
export const WAS_INACTIVE_TAG = 'pleroma-admin:was-inactive'
