'use strict'
// Preloaded (node --require) into a measured command: writes the process's
// peak resident set size in kB (getrusage ru_maxrss) to $BENCH_MAXRSS_FILE at exit.
const fs = require('node:fs')

process.on('exit', () => {
  if (process.env.BENCH_MAXRSS_FILE) fs.writeFileSync(process.env.BENCH_MAXRSS_FILE, String(process.resourceUsage().maxRSS))
})
