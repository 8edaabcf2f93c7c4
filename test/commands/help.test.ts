/**
 * Help and command discovery come from oclif.manifest.json: they must not
 * load the runtime (TypeORM, pg, the services), nor PGlite. A command that
 * opens the database loads the runtime as one bundle, compiled from its code
 * cache, and no module of TypeORM or pg from node_modules.
 */
import {execFileSync} from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {PG_AVAILABLE, scratchPgDatabase} from '../helpers/backends'
import {pgTemplateTool} from '../helpers/templates'

const ROOT = path.join(__dirname, '..', '..')
const BIN = path.join(ROOT, 'bin', 'run.js')

function modulesLoadedBy(args: string[], extraEnv: NodeJS.ProcessEnv = {}): {stdout: string; modules: string[]} {
  const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pa-trace-')), 'modules.txt')
  const env: NodeJS.ProcessEnv = {...process.env, ...extraEnv, PA_MODULE_TRACE: trace}
  delete env.NODE_OPTIONS
  const stdout = execFileSync(process.execPath, ['--require', path.join(__dirname, '..', 'helpers', 'module-tracer.js'), BIN, ...args], {env, encoding: 'utf8'})
  const modules = fs.readFileSync(trace, 'utf8').split('\n')
  fs.rmSync(path.dirname(trace), {recursive: true, force: true})
  return {stdout, modules}
}

const HEAVY = [
  /node_modules\/typeorm\//,
  /node_modules\/pg\//,
  /node_modules\/@electric-sql\/pglite\//,
  /\/dist\/services\//,
  /\/dist\/db\//,
  /runtime\.bundle\.js/,
  /\/dist\/runtime\.js/,
]

describe('--help', () => {
  for (const args of [['--help'], ['user', '--help'], ['user:rm', '--help'], ['help', 'user:new']]) {
    it(`\`${args.join(' ')}\` loads no database module`, () => {
      const {stdout, modules} = modulesLoadedBy(args)
      expect(stdout).toContain('pleroma-admin')
      expect(modules.length).toBeGreaterThan(10)
      for (const heavy of HEAVY) expect(modules.filter((m) => heavy.test(m))).toEqual([])
    })
  }

  it('every user command has a summary, a description and examples', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8'))
    const ours = Object.values(
      manifest.commands as Record<
        string,
        {
          id: string
          pluginName: string
          summary?: string
          description?: string
          examples?: string[]
          flags: Record<string, {summary?: string; description?: string}>
          args: Record<string, {description?: string}>
        }
      >,
    ).filter((c) => c.pluginName === 'pleroma-admin')
    expect(ours.length).toBe(29)
    for (const c of ours) {
      expect({id: c.id, summary: Boolean(c.summary), description: (c.description ?? '').length > 40, examples: (c.examples ?? []).length > 0}).toEqual({
        id: c.id,
        summary: true,
        description: true,
        examples: true,
      })
      for (const [name, f] of Object.entries(c.flags))
        expect({id: c.id, flag: name, described: Boolean(f.summary || f.description)}).toEqual({id: c.id, flag: name, described: true})
      for (const [name, a] of Object.entries(c.args))
        expect({id: c.id, arg: name, described: Boolean(a.description)}).toEqual({id: c.id, arg: name, described: true})
    }
  })
})

const describePg = PG_AVAILABLE ? describe : describe.skip

describePg('a command on PostgreSQL', () => {
  let db: {url: string; drop(): Promise<void>} | undefined
  beforeAll(async () => {
    db = await scratchPgDatabase(pgTemplateTool())
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('`user:tag` loads the runtime bundle from its code cache, and no TypeORM or pg module of its own', () => {
    const env = {DATABASE_URL: db!.url, PLEROMA_ADMIN_BCRYPT_COST: '4'}
    modulesLoadedBy(['user:new', 'alice', 'alice@example.com', '--password', 'x', '-y', '--instance-url', 'https://example.com'], env)
    const {stdout, modules} = modulesLoadedBy(['user:tag', 'alice', 'foo'], env)
    expect(stdout).toBe('Tags of alice: ["foo"]\n')
    expect(modules.filter((m) => /runtime\.bundle\.js/.test(m))).toEqual([path.join(ROOT, 'dist', 'runtime.bundle.js') + ' (code cache accepted)'])
    for (const heavy of [
      /node_modules\/typeorm\//,
      /node_modules\/pg\//,
      /node_modules\/reflect-metadata\//,
      /node_modules\/@electric-sql\/pglite\//,
      /\/dist\/services\//,
    ]) {
      expect(modules.filter((m) => heavy.test(m))).toEqual([])
    }
  })
})
