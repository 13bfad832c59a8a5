// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// What a Node.js scenario should see, read from the environment compat/run sets (see compat/README.md).
import { inspect } from 'node:util'

export function bootstrap() {
  const value = process.argv[2] || process.env.COMPAT_BOOTSTRAP
  if (!value) fail('usage: node scenario.mjs BOOTSTRAP (or set COMPAT_BOOTSTRAP)')
  return value
}

// [{ nodeId, host, port }] sorted by id, from COMPAT_EXPECT_BROKERS ("id@host:port,..."), default 1@bootstrap.
export function expectedBrokers() {
  const spec = process.env.COMPAT_EXPECT_BROKERS || `1@${bootstrap()}`
  return sortBrokers(spec.split(',').map((item) => {
    const [id, address] = item.split('@')
    const colon = address.lastIndexOf(':')
    return { nodeId: Number(id), host: address.slice(0, colon), port: Number(address.slice(colon + 1)) }
  }))
}

// The controller id to check, or null when COMPAT_EXPECT_CONTROLLER is empty.
export function expectedController() {
  const value = process.env.COMPAT_EXPECT_CONTROLLER ?? '1'
  return value === '' ? null : Number(value)
}

function sortBrokers(brokers) {
  return brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })).sort((a, b) => a.nodeId - b.nodeId)
}

// Collects mismatches so one run reports all of them.
export class Checker {
  problems = []

  equal(what, seen, expected) {
    const s = JSON.stringify(seen)
    const e = JSON.stringify(expected)
    if (s !== e) this.problems.push(`${what}: saw ${s}, expected ${e}`)
  }

  brokers(seen) {
    this.equal('brokers', sortBrokers(seen), expectedBrokers())
  }

  controller(seen) {
    const expected = expectedController()
    if (expected !== null) this.equal('controller id', seen, expected)
  }

  clusterId(seen) {
    if (typeof seen !== 'string' || seen === '') this.problems.push(`cluster id should be a non-empty string, saw ${JSON.stringify(seen)}`)
  }

  finish() {
    if (this.problems.length) fail(this.problems.join('; '))
    console.log('ok')
    process.exit(0)
  }
}

// Ends the scenario as not applicable to this broker (compat/run prints SKIP).
export function skip(message) {
  console.log(`SKIP: ${message}`)
  process.exit(77)
}

// "eddy", "mock" (librdkafka's mock cluster) or "external", as compat/run set it.
export function brokerKind() {
  return process.env.COMPAT_BROKER_KIND || 'external'
}

export function fail(message) {
  console.error(`FAIL: ${message}`)
  process.exit(1)
}

// Runs an async scenario body, turning any rejection into a failing exit with its message.
// The whole error (nested causes, broker responses) goes to stderr first: it names the request that failed.
export function run(body) {
  body().catch((e) => {
    console.error(inspect(e, { depth: 6 }))
    fail(`${e?.name ?? 'Error'}: ${e?.message ?? e}${e?.cause ? ` (cause: ${e.cause.message ?? e.cause})` : ''}`)
  })
}
