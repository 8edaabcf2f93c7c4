import type {Backend} from './backends'

/** The commands that queue deliveries on a server's database (docs/federation.md). */
const FEDERATING = new Set(['user:rm', 'user:delete-activities', 'user:delete_activities', 'user:unsubscribe'])

/**
 * The backend with `--no-federate` added to the federating commands: for the
 * tests of their local end state, which is the same with and without
 * federation apart from the queued jobs and the Undos of follows
 * (test/commands/federation.test.ts tests those).
 */
export function withoutFederation(b: Backend): Backend {
  return {
    get name() {
      return b.name
    },
    get url() {
      return b.url
    },
    run: (args, options) => b.run(FEDERATING.has(args[0]) && !args.includes('--help') ? [...args, '--no-federate'] : args, options),
    sql: (q, p) => b.sql(q, p),
  }
}
