// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// An Eddy that a Node.js scenario starts itself, so it can stop, kill and restart it on the same data
// directory (lib/own_broker.py is the same for Python). compat/run exports $COMPAT_BROKER_BIN (the Eddy
// binary it started); such a scenario starts a second Eddy from it on its own port and data directory and
// leaves the harness's broker alone. Without a binary (the mock cluster, --bootstrap) it is skipped.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

// The Eddy binary from $COMPAT_BROKER_BIN or $EDDY_BIN, or null.
export function binary() {
  const file = process.env.COMPAT_BROKER_BIN || process.env.EDDY_BIN
  if (!file) return null
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return path.resolve(file)
  } catch {
    return null
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.setTimeout(1000)
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

// One Eddy process at a time on a fixed port and data directory; its output is appended to logPath.
// Create with OwnEddy.create(binary, dataDir, logPath) (the port is picked asynchronously).
export class OwnEddy {
  proc = null
  exited = null // resolves with the exit code or signal of the running process
  starts = 0

  static async create(binaryPath, dataDir, logPath) {
    return new OwnEddy(binaryPath, dataDir, logPath, await freePort())
  }

  constructor(binaryPath, dataDir, logPath, port) {
    Object.assign(this, { binary: binaryPath, dataDir, logPath, port, bootstrap: `127.0.0.1:${port}` })
    this.log = fs.openSync(logPath, 'a')
    // However the scenario ends (fail() calls process.exit), its broker must not outlive it: compat/run
    // kills the scenario's process group afterwards too, this is for runs outside the harness.
    process.on('exit', () => this.proc?.kill('SIGKILL'))
  }

  async start(deadlineMs = 60000) {
    this.starts++
    fs.writeSync(this.log, `\n=== start #${this.starts}\n`)
    // Not detached: in the scenario's process group, so compat/run's kill of that group reaches it too.
    const proc = spawn(this.binary, [
      '--override', `listeners=PLAINTEXT://${this.bootstrap}`,
      '--override', `advertised.listeners=PLAINTEXT://${this.bootstrap}`,
      '--override', `log.dirs=${this.dataDir}`, '--override', 'node.id=1',
    ], { stdio: ['ignore', this.log, this.log] })
    this.proc = proc
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
      if (this.proc === proc) this.proc = null
      resolve(signal ?? code)
    }))
    const end = Date.now() + deadlineMs
    while (Date.now() < end) {
      if (this.proc !== proc) throw new Error(`eddy exited with ${await this.exited} while starting (start #${this.starts})`)
      if (await accepts(this.port)) return
      await sleep(50)
    }
    throw new Error(`eddy did not accept connections within ${deadlineMs / 1000} s (start #${this.starts})`)
  }

  // SIGTERM (a clean shutdown) or SIGKILL (a crash); resolves once the process has ended.
  async stop({ kill = false } = {}) {
    if (!this.proc) return
    const proc = this.proc
    proc.kill(kill ? 'SIGKILL' : 'SIGTERM')
    const late = setTimeout(() => proc.kill('SIGKILL'), 30000)
    const how = await this.exited
    clearTimeout(late)
    if (!kill && how === 'SIGKILL') throw new Error('eddy did not stop within 30 s of SIGTERM')
  }

  async restart({ kill = false } = {}) {
    await this.stop({ kill })
    await this.start()
  }

  async close() {
    try {
      await this.stop()
    } finally {
      fs.closeSync(this.log)
      this.log = null
    }
  }

  logTail(lines = 30) {
    return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines - 1).join('\n')
  }
}
