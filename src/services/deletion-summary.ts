/**
 * Wording of the summaries of `user:delete-activities` and `user:rm`
 * (counts with thousands separators, singular and plural).
 */
export function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

export function postsPhrase(posts: number, likesAndAnnounces: number): string {
  return `${count(posts, 'post', 'posts')}, ${count(likesAndAnnounces, 'like or announce', 'likes and announces')}`
}
