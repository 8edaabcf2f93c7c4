'use strict'
/** Timing whole processes: wall time from spawn to exit, stdout to /dev/null, stderr kept for errors. */
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const {spawn} = require('node:child_process')

const MAXRSS = path.join(__dirname, 'maxrss.js')

/**
 * Runs `cmd args` and resolves {seconds, code, stderr, maxRssKb}. With
 * `rss: true` (a node command), the process reports its own peak RSS
 * (getrusage) through bench/lib/maxrss.js.
 */
function timeProcess(cmd, args, {env, rss = false, stdin} = {}) {
  return new Promise((resolve, reject) => {
    const devnull = fs.openSync('/dev/null', 'w')
    let rssFile
    if (rss) {
      rssFile = path.join(os.tmpdir(), `pa-bench-rss-${process.pid}-${Date.now()}`)
      args = ['--require', MAXRSS, ...args]
      env = {...(env ?? process.env), BENCH_MAXRSS_FILE: rssFile}
    }
    const started = process.hrtime.bigint()
    const child = spawn(cmd, args, {env: env ?? process.env, stdio: [stdin === undefined ? 'ignore' : 'pipe', devnull, 'pipe']})
    let stderr = ''
    child.stderr.on('data', (d) => {
      if (stderr.length < 20000) stderr += d
    })
    if (stdin !== undefined) child.stdin.end(stdin)
    child.on('error', (e) => {
      fs.closeSync(devnull)
      reject(e)
    })
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      fs.closeSync(devnull)
      let maxRssKb
      if (rssFile) {
        try {
          maxRssKb = Number(fs.readFileSync(rssFile, 'utf8'))
          fs.unlinkSync(rssFile)
        } catch {
          maxRssKb = undefined
        }
      }
      resolve({seconds, code, stderr, maxRssKb})
    })
  })
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

module.exports = {timeProcess, median}
