/**
 * Whether a post counts as public, as Pleroma's `Visibility.public?` decides
 * it (docs/pleroma/tasks.md#delete_activities; v2.9.1
 * lib/pleroma/web/activity_pub/visibility.ex:14-24, utils.ex:43 and 70-79):
 *
 * - a Tombstone is not public;
 * - a post marked `"directMessage": true` is not public;
 * - otherwise it is public when the public collection
 *   (`https://www.w3.org/ns/activitystreams#Public`) or the instance's
 *   local-only public address (`<instance URL>/#Public`) is in its `to`,
 *   `cc`, `bto` or `bcc` (each a list, or a single string).
 *
 * "Public" here is what note_count counts (public and unlisted posts: an
 * unlisted post has the public collection in `cc`). The one definition every
 * note_count change of the tool goes through.
 */

export const AS_PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'

/** The addressing fields of an object's or activity's `data` that visibility reads. */
export interface Addressing {
  type?: unknown
  to?: unknown
  cc?: unknown
  bto?: unknown
  bcc?: unknown
  directMessage?: unknown
}

/** The instance's local-only public address (Pleroma's `Utils.as_local_public`: the endpoint URL + `/#Public`). */
export function localPublicAddress(instanceUrl: string): string {
  return `${instanceUrl.replace(/\/+$/, '')}/#Public`
}

function labelIn(label: string, v: unknown): boolean {
  if (typeof v === 'string') return v === label
  if (Array.isArray(v)) return v.includes(label)
  return false
}

/** Pleroma's `Visibility.public?` for a post's data. */
export function isPublic(data: Addressing, instanceUrl: string): boolean {
  if (data.type === 'Tombstone') return false
  if (data.directMessage === true) return false
  const labels = [AS_PUBLIC, localPublicAddress(instanceUrl)]
  return [data.to, data.cc, data.bto, data.bcc].some((field) => labels.some((l) => labelIn(l, field)))
}
