/** `1 user`, `2 users`; `many` for irregular plurals (`delivery`/`deliveries`). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
