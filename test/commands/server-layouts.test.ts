/**
 * The users table is not the same on every supported server: Pleroma 2.3
 * lacks the columns later releases added (featured_address, pinned_objects,
 * ...) and still has some they dropped (ap_enabled, pinned_activities);
 * Akkoma dropped keys, public_key and accepts_chat_messages, never had
 * birthday, and added its own columns; Pleroma after 2.9.1 adds is_cat,
 * indexable. The commands that read or write users rows must work on each:
 * never name a column the server lacks, leave the columns they do not know
 * to their defaults.
 *
 * Each layout is made from the backend's own users table (Pleroma v2.9.1's)
 * by the ALTER TABLE of that server's migrations, once per suite.
 */
import {describeBackends, type Backend} from '../helpers/backends'
import {flakeIdToString} from '../../src/db/flake-id'
import {expectErrorLines} from '../helpers/assertions'

const BASE = 'https://pleroma.example'

interface Layout {
  /** The ALTER TABLE that makes the layout from v2.9.1's users table. */
  alter: string
  /** Columns the layout lacks. */
  lacks: string[]
  /** What user:new leaves in the columns only this layout has. */
  extra: Record<string, unknown>
  /** Tables only this layout has, as its migrations create them. */
  tables?: string[]
}

const LAYOUTS: Record<string, Layout> = {
  // Pleroma 2.3.0's migrations end at 20210218223811 (disclose_client): no
  // pinned_objects/featured_address (2.4), is_suggested/birthday/language (2.5),
  // last_status_at; ap_enabled, mastofe_settings and pinned_activities not yet dropped.
  'Pleroma 2.3.0': {
    alter: `ALTER TABLE users
      DROP COLUMN pinned_objects, DROP COLUMN featured_address, DROP COLUMN is_suggested, DROP COLUMN last_status_at,
      DROP COLUMN birthday, DROP COLUMN show_birthday, DROP COLUMN language,
      ADD COLUMN ap_enabled boolean NOT NULL DEFAULT false, ADD COLUMN mastofe_settings jsonb,
      ADD COLUMN pinned_activities text[] NOT NULL DEFAULT ARRAY[]::text[]`,
    lacks: ['pinned_objects', 'featured_address', 'is_suggested', 'show_birthday', 'language'],
    extra: {ap_enabled: false, mastofe_settings: null, pinned_activities: []},
  },
  // Akkoma: 20250112000002_users_drop_legacy_key_fields, 20250621000000_drop_accepts_chat_messages,
  // no birthday migrations; 20221128103145 status_ttl_days, 20230522213837 accepts_direct_messages_from,
  // 20240213120000 permit_followback, 20220916115149 mastofe_settings.
  Akkoma: {
    alter: `ALTER TABLE users
      DROP COLUMN keys, DROP COLUMN public_key, DROP COLUMN accepts_chat_messages, DROP COLUMN birthday, DROP COLUMN show_birthday,
      ADD COLUMN status_ttl_days integer, ADD COLUMN accepts_direct_messages_from varchar(255) DEFAULT 'everybody',
      ADD COLUMN permit_followback boolean NOT NULL DEFAULT false, ADD COLUMN mastofe_settings jsonb`,
    lacks: ['keys', 'public_key', 'accepts_chat_messages', 'birthday', 'show_birthday'],
    extra: {status_ttl_days: null, accepts_direct_messages_from: 'everybody', permit_followback: false, mastofe_settings: null},
    // 20240625213637_create_signing_key_table, 20250112000000_signing_key_nullability, 20250112000001_signing_key_unique_user_id.
    tables: [
      `CREATE TABLE signing_keys (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE, key_id text PRIMARY KEY, public_key text NOT NULL, private_key text,
        inserted_at timestamp(0) without time zone NOT NULL, updated_at timestamp(0) without time zone NOT NULL)`,
      `CREATE UNIQUE INDEX signing_keys_user_id_index ON signing_keys (user_id)`,
    ],
  },
  // Pleroma develop after v2.9.1: 20250402213700_add_is_cat_to_users, 20260123213700_add_indexable_to_users.
  'Pleroma after 2.9.1': {
    alter: `ALTER TABLE users ADD COLUMN is_cat boolean DEFAULT false, ADD COLUMN speak_as_cat boolean DEFAULT false,
      ADD COLUMN indexable boolean NOT NULL DEFAULT true`,
    lacks: [],
    extra: {is_cat: false, speak_as_cat: false, indexable: true},
  },
}

/** The flags user:set reports besides its first four, as user:new leaves them (the columns' defaults; is_suggested: per layout). */
const USER_NEW_OTHERS = {
  approved: true,
  discoverable: false,
  showRole: true,
  hideFollowers: false,
  hideFollows: false,
  hideFollowersCount: false,
  hideFollowsCount: false,
  hideFavorites: true,
  allowFollowingMove: true,
  skipThreadContainment: false,
  richText: true,
}

async function createAlice(b: Backend): Promise<Record<string, any>> {
  const r = await b.run(['user:new', 'alice', 'alice@example.com', '--name', 'Alice', '--admin', '-y', '--instance-url', BASE])
  expect(r.stderr).toBe('')
  expect(r.exitCode).toBe(0)
  const [u] = await b.sql(`SELECT * FROM users WHERE nickname = 'alice'`)
  return u
}

for (const [name, layout] of Object.entries(LAYOUTS)) {
  describeBackends(`users laid out as ${name}`, (b) => {
    let altered = false
    beforeEach(async () => {
      if (altered) return
      await b.sql(layout.alter)
      for (const sql of layout.tables ?? []) await b.sql(sql)
      altered = true
    })

    it('user:new writes Pleroma’s registration row in the columns the server has, the others keep their defaults', async () => {
      const u = await createAlice(b)
      expect(u).toMatchObject({
        email: 'alice@example.com',
        name: 'Alice',
        bio: '',
        local: true,
        ap_id: `${BASE}/users/alice`,
        follower_address: `${BASE}/users/alice/followers`,
        following_address: `${BASE}/users/alice/following`,
        is_admin: true,
        is_moderator: false,
        is_active: true,
        is_confirmed: true,
        is_approved: true,
        is_locked: false,
        avatar: {},
        tags: [],
        email_notifications: {digest: false},
        hide_favorites: true,
        actor_type: 'Person',
        ...layout.extra,
      })
      for (const column of layout.lacks) expect(u).not.toHaveProperty(column)
      if (!layout.lacks.includes('featured_address')) expect(u.featured_address).toBe(`${BASE}/users/alice/collections/featured`)
      if (!layout.lacks.includes('pinned_objects')) expect(u.pinned_objects).toEqual({})
      if (!layout.lacks.includes('accepts_chat_messages')) expect(u.accepts_chat_messages).toBe(true)
      if (!layout.lacks.includes('keys')) expect(u.keys).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[^]+\n-----END RSA PRIVATE KEY-----$/)
      if (layout.tables?.some((t) => t.includes('signing_keys'))) {
        // Akkoma registration's key row (SigningKey.generate_local_keys): the pair matches, the public key as Erlang's pem_encode ends it.
        const keys = await b.sql(`SELECT * FROM signing_keys`)
        expect(keys).toEqual([
          {
            user_id: u.id,
            key_id: `${BASE}/users/alice#main-key`,
            public_key: expect.any(String),
            private_key: expect.any(String),
            inserted_at: u.inserted_at,
            updated_at: u.inserted_at,
          },
        ])
        expect(keys[0].private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[^]+\n-----END RSA PRIVATE KEY-----$/)
        expect(keys[0].public_key).toMatch(/^-----BEGIN PUBLIC KEY-----\n[^]+\n-----END PUBLIC KEY-----\n\n$/)
        const {createPrivateKey, createPublicKey} = await import('node:crypto')
        const derived = createPublicKey(createPrivateKey(keys[0].private_key)).export({type: 'spki', format: 'pem'})
        expect(`${derived}`.trimEnd() + '\n\n').toBe(keys[0].public_key)
      }
      // No password given: a reset token, as Pleroma does.
      expect(await b.sql(`SELECT user_id, used FROM password_reset_tokens`)).toEqual([{user_id: u.id, used: false}])
    })

    it('user:list lists the users in every output mode', async () => {
      const u = await createAlice(b)
      await b.sql(
        `INSERT INTO users (id, nickname, bio, ap_id, local, tags, inserted_at, updated_at) VALUES ('00000000-0000-0000-0000-00000000002a', 'bob@remote.example', '', 'https://remote.example/users/bob', false, '{x}', '2024-01-02 03:04:05', '2024-01-02 03:04:05')`,
      )
      const alice = {
        id: flakeIdToString(u.id),
        uuid: u.id,
        nickname: 'alice',
        local: true,
        email: 'alice@example.com',
        name: 'Alice',
        moderator: false,
        admin: true,
        locked: false,
        active: true,
        confirmed: true,
        approved: true,
        tags: [],
        insertedAt: u.inserted_at.toISOString().replace('.000', ''),
      }
      const bob = {
        id: '42',
        uuid: '00000000-0000-0000-0000-00000000002a',
        nickname: 'bob@remote.example',
        local: false,
        email: null,
        name: null,
        moderator: false,
        admin: false,
        locked: false,
        active: true,
        confirmed: true,
        approved: true,
        tags: ['x'],
        insertedAt: '2024-01-02T03:04:05Z',
      }
      const text = await b.run(['user:list', '--all'])
      expect(text.exitCode).toBe(0)
      expect(text.stdout).toBe(
        'bob@remote.example moderator: false, admin: false, locked: false, deactivated: false\nalice moderator: false, admin: true, locked: false, deactivated: false\n',
      )
      const json = await b.run(['user:list', '--all', '--json'])
      expect(json.exitCode).toBe(0)
      expect(json.stdout).toBe(`[\n  ${JSON.stringify(bob)},\n  ${JSON.stringify(alice)}\n]\n`)
      const ndjson = await b.run(['user:list', '--ndjson', '--admin'])
      expect(ndjson.stdout).toBe(JSON.stringify(alice) + '\n')
      const count = await b.run(['user:list', '--all', '--count', '--json'])
      expect(count.json).toEqual({count: 2})
    })

    it('user:set sets flags and reads them back', async () => {
      const before = await createAlice(b)
      const r = await b.run(['user:set', 'alice', '--no-admin', '--locked', '--no-confirmed', '--json'])
      expect(r.exitCode).toBe(0)
      expect(r.json).toEqual({
        dryRun: false,
        nickname: 'alice',
        changed: true,
        admin: false,
        moderator: false,
        locked: true,
        confirmed: false,
        ...USER_NEW_OTHERS,
        suggested: layout.lacks.includes('is_suggested') ? null : false,
      })
      const [u] = await b.sql(`SELECT * FROM users WHERE nickname = 'alice'`)
      expect(u).toMatchObject({
        ...before,
        is_admin: false,
        is_locked: true,
        is_confirmed: false,
        confirmation_token: u.confirmation_token,
        updated_at: u.updated_at,
      })
      expect(u.confirmation_token).toMatch(/^[A-Za-z0-9_-]{43}=$/)
      const dry = await b.run(['user:set', 'alice', '--admin', '--dry-run', '--json'])
      expect(dry.json).toMatchObject({dryRun: true, nickname: 'alice', changed: true, admin: true, moderator: false, locked: true, confirmed: false})
      expect((await b.sql(`SELECT is_admin FROM users WHERE nickname = 'alice'`))[0].is_admin).toBe(false)
    })

    it('user:set --suggested sets is_suggested where the server has it, and is refused (exit 4, nothing changed) where it does not', async () => {
      await createAlice(b)
      const [before] = await b.sql(`SELECT * FROM users WHERE nickname = 'alice'`)
      const r = await b.run(['user:set', 'alice', '--suggested', '--no-approved'])
      const [after] = await b.sql(`SELECT * FROM users WHERE nickname = 'alice'`)
      if (layout.lacks.includes('is_suggested')) {
        expect(r.exitCode).toBe(4)
        expect(r.stdout).toBe('')
        expect(r.stderr).toMatch(
          /^Error: This server's database has no users\.is_suggested: nothing was changed\.\nHint: is_suggested exists from Pleroma 2\.5 on/,
        )
        expectErrorLines(r.stderr)
        expect(after).toEqual(before)
        const j = await b.run(['user:set', 'alice', '--no-suggested', '--dry-run', '--json'])
        expect(j.exitCode).toBe(4)
        expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4})
        // The other flags still work; --json says the server has no is_suggested.
        const approved = await b.run(['user:set', 'alice', '--no-approved', '--json'])
        expect(approved.exitCode).toBe(0)
        expect(approved.json).toMatchObject({changed: true, approved: false, suggested: null})
      } else {
        expect(r.exitCode).toBe(0)
        expect(r.stdout).toBe('Approval status of alice: false\nSuggestion status of alice: true\n')
        // User.set_suggestion and a pending registration (v2.9.1:lib/pleroma/user.ex:1962-1976): the columns and updated_at.
        expect(after).toEqual({...before, is_suggested: true, is_approved: false, updated_at: after.updated_at})
      }
    })

    it('user:tag and user:untag change the tags', async () => {
      const before = await createAlice(b)
      const tag = await b.run(['user:tag', 'alice', 'One', 'two'])
      expect(tag.exitCode).toBe(0)
      expect(tag.stdout).toBe('Tags of alice: ["one", "two"]\n')
      const untag = await b.run(['user:untag', 'alice', 'one', '--json'])
      expect(untag.json).toEqual({dryRun: false, nickname: 'alice', tags: ['two'], changed: true})
      const [u] = await b.sql(`SELECT * FROM users WHERE nickname = 'alice'`)
      expect(u).toMatchObject({...before, tags: ['two'], updated_at: u.updated_at})
    })
  })
}
