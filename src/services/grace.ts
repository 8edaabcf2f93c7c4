/**
 * Deletion with a grace period (user:rm --grace, user:restore, user:rm --due,
 * user:list --pending-deletion): the markers it keeps on the account itself,
 * in `users.tags` (docs/pleroma/tasks.md#grace).
 */

/** The tag that says when the account's deletion falls due: `pleroma-admin:delete-after:2026-12-10T17:00:00Z`. */
export const PENDING_DELETION_PREFIX = 'pleroma-admin:delete-after:'
