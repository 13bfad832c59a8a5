// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Shared by the Node.js transaction scenarios (KafkaJS, @platformatic/kafka): the record keys of each
// transaction and the comparison of what a consumer saw with what was committed (lib/txn.py is the
// Python counterpart). Every record has a unique key, so a consumer's view is compared key by key, per
// partition, in log order.
import { brokerKind } from './expect.mjs'

// librdkafka 2.0.2's mock cluster answers the transactional requests but writes no transaction markers,
// keeps no last stable offset and stores no TxnOffsetCommit: read_committed cannot be checked there.
export const markers = brokerKind() !== 'mock'
export const runId = process.env.COMPAT_RUN_ID || 'manual'
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// {partition: [key]}: `perPartition` keys "<tag>-p<partition>-<i>" in each of `partitions`.
export function keys(tag, partitions, perPartition) {
  const out = {}
  for (let p = 0; p < partitions; p++) out[p] = Array.from({ length: perPartition }, (_, i) => `${tag}-p${p}-${String(i).padStart(3, '0')}`)
  return out
}

// The records of a batch {partition: [key]} for a client's send (value "v:<key>"; key and value Buffers,
// which every client takes), each with `extra` fields.
export const records = (batch, extra = {}) => Object.entries(batch).flatMap(([p, ks]) =>
  ks.map((k) => ({ key: Buffer.from(k), value: Buffer.from(`v:${k}`), partition: Number(p), ...extra })))

// The batches' keys concatenated per partition, in the order given.
export function merge(...batches) {
  const out = {}
  for (const b of batches) for (const [p, ks] of Object.entries(b)) (out[p] ??= []).push(...ks)
  return out
}

// Runs a transaction per outcome ('commit' or 'abort'), then one more that it leaves open. transaction(t)
// begins transaction t and sends its records, resolving to {tx, batch}; afterCommit(committed) runs after
// each commit. Resolves to {committed, everything, lastCommitted, open: {tx, batch}}: the keys of the
// committed transactions and of all of them (the open one included), per partition, in order.
export async function writeTransactions(outcomes, transaction, afterCommit = async () => {}) {
  let committed = {}
  let everything = {}
  let lastCommitted = null
  for (const [t, outcome] of outcomes.entries()) {
    const { tx, batch } = await transaction(t)
    everything = merge(everything, batch)
    if (outcome === 'commit') {
      await tx.commit()
      committed = merge(committed, batch)
      lastCommitted = t
      await afterCommit(committed)
    } else {
      await tx.abort()
    }
  }
  const open = await transaction(outcomes.length)
  everything = merge(everything, open.batch)
  return { committed, everything, lastCommitted, open }
}

// A view is {partition: [[offset, key]]}.
export const count = (view) => Object.values(view).reduce((n, v) => n + v.length, 0)
export const hasAll = (expected) => (view) => Object.entries(expected).every(([p, ks]) => (view[p]?.length ?? 0) >= ks.length)

// Per partition, the keys seen must be exactly `expected` ({partition: [key]}), in that order.
export function compare(problems, what, view, expected) {
  for (const [p, want] of Object.entries(expected)) {
    const have = (view[p] ?? []).map(([, k]) => k)
    if (JSON.stringify(have) === JSON.stringify(want)) continue
    const extra = have.filter((k) => !want.includes(k))
    const missing = want.filter((k) => !have.includes(k))
    problems.push(`${what}, partition ${p}: ${have.length} records, expected ${want.length}; ` +
      `unexpected ${JSON.stringify(extra.slice(0, 4))}, missing ${JSON.stringify(missing.slice(0, 4))}` +
      (extra.length || missing.length ? '' : `; order differs: ${JSON.stringify(have.slice(0, 6))}`))
  }
}

// Resolves once done() holds and then `quietMs` more passed (a record that should not be there gets its
// chance to show up), or after `boundMs` (the caller's comparison then reports what is missing).
export async function settle(done, quietMs = 2000, boundMs = 90000) {
  const end = Date.now() + boundMs
  while (Date.now() < end && !done()) await sleep(100)
  await sleep(quietMs)
}
