// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS: fencing a zombie. Producer A (transactionalId X) opens a transaction and writes to every
// partition of a 3-partition topic; producer B with the same transactionalId starts its first transaction
// (KafkaJS sends InitProducerId then). From then on A is fenced: its next send and its commit fail, nothing
// it sends afterwards is stored, and its open transaction is aborted, so read_committed never sees any of
// A's records. B's transaction commits normally.
//
// SKIP on the mock cluster: librdkafka 2.0.2's mock does not fence.
import { Checker, run, skip } from '../lib/expect.mjs'
import * as T from '../lib/txn.mjs'
import { kafka, partitionsOf, read, transactionalProducer } from '../lib/txn_kafkajs.mjs'

const PARTITIONS = 3
const PER_PARTITION = 10
const topic = `compat-txn-fencing-kafkajs-${T.runId}`
const transactionalId = `compat-fencing-kafkajs-${T.runId}`
const check = new Checker()

// The error of a call that must fail, or a problem noted if it succeeds.
async function refused(what, call) {
  try {
    await call()
    check.problems.push(`${what} succeeded after B took over A's transactionalId`)
    return null
  } catch (e) {
    const cause = e.originalError ?? e.cause ?? e
    console.log(`${what}: ${e.name}: ${e.message}${cause !== e ? ` (${cause.type ?? cause.name}: ${cause.message})` : ''}`)
    return e
  }
}

run(async () => {
  if (!T.markers) skip('the mock cluster does not fence a producer whose transactional.id was taken over')
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true })
  const partitions = await partitionsOf(admin, topic)

  const a = await transactionalProducer(transactionalId)
  const txA = await a.transaction()
  const aOpen = T.keys('a-open', partitions.length, PER_PARTITION)
  await txA.send({ topic, acks: -1, messages: T.records(aOpen) })
  console.log(`A: transaction open with ${PER_PARTITION} records in each of ${partitions.length} partitions`)

  const b = await transactionalProducer(transactionalId)
  const txB = await b.transaction()
  console.log('B: first transaction begun with the same transactionalId')

  const aLate = T.keys('a-late', partitions.length, PER_PARTITION)
  const sendError = await refused('A: send after the fence', () => txA.send({ topic, acks: -1, messages: T.records(aLate) }))
  if (txA.isActive()) await refused('A: commit after the fence', () => txA.commit())
  if (sendError && !/epoch|fenced/i.test(`${sendError.message} ${sendError.originalError?.message ?? ''} ${sendError.cause?.message ?? ''}`)) {
    check.problems.push(`A's send failed, but not for its producer epoch: ${sendError.message}`)
  }

  const bKeys = T.keys('b', partitions.length, PER_PARTITION)
  await txB.send({ topic, acks: -1, messages: T.records(bKeys) })
  await txB.commit()
  console.log('B: committed')

  const seen = await read(topic, partitions, false, T.hasAll(bKeys))
  console.log(`read_committed: ${T.count(seen)} records`)
  T.compare(check.problems, 'read_committed', seen, bKeys)
  // A's first records are in the log, aborted; what A sent after the fence was refused by the broker.
  const both = T.merge(aOpen, bKeys)
  const seenAll = await read(topic, partitions, true, T.hasAll(both))
  console.log(`read_uncommitted: ${T.count(seenAll)} records`)
  T.compare(check.problems, "read_uncommitted (A's open transaction, then B's)", seenAll, both)
  await a.disconnect().catch(() => {})
  await b.disconnect()
  await admin.disconnect()
  check.finish()
})
