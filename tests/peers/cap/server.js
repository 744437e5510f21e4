// Starts the CAP peer on 127.0.0.1 only (CAP's own `cds serve` listens on every interface).
// Port: first argument or PORT, 0 (default) = a free port chosen by the OS.
// Prints one line `FLOWBENCH_CAP_READY <service root URL>` once it accepts requests.
// Exits when its standard input closes (the test process is gone) or after
// FLOWBENCH_CAP_MAX_SECONDS (default 900), so it never outlives its tests.
'use strict'
process.chdir(__dirname)
const express = require('express')
const cds = require('@sap/cds')

const SERVICE_PATH = '/odata/v4/erp/'

async function main() {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 0)
  const app = (cds.app = express())
  const csn = await cds.load('*')
  cds.model = cds.compile.for.nodejs(csn)
  cds.db = await cds.connect.to('db')
  await cds.deploy(csn).to(cds.db) // in-memory database with the CSV data
  await cds.serve('all').in(app)
  await cds.emit('served', cds.services)
  const server = app.listen(port, '127.0.0.1', () => {
    const { address, port: actual } = server.address()
    process.stdout.write(`FLOWBENCH_CAP_READY http://${address}:${actual}${SERVICE_PATH}\n`)
  })
  const stop = () => server.close(() => process.exit(0))
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
  process.on('SIGTERM', stop)
  const maxSeconds = Number(process.env.FLOWBENCH_CAP_MAX_SECONDS ?? 900)
  setTimeout(() => process.exit(0), maxSeconds * 1000).unref()
}

main().catch((error) => {
  process.stderr.write(`FLOWBENCH_CAP_FAILED ${error?.stack ?? error}\n`)
  process.exit(1)
})
