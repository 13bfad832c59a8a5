// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka: consume-transform-produce in transactions. A group consumer (isolationLevel 1,
// no autocommit) reads an input topic; per batch of records one transaction sends a transformed record
// per input record to an output topic and commits the group's offsets with it (addConsumer, addOffset:
// TxnOffsetCommit carrying the member's generation and member id). Afterwards a read_committed reader of
// the output sees every input record exactly once, in input order per partition, and the group's
// committed offsets are the input's end offsets.
// SKIP on the mock cluster, which has no ApiVersions v3 (the only one this client speaks).
import { Checker, run } from '../lib/expect.mjs'
import * as T from '../lib/txn.mjs'
import { common, connectAdmin, kafka, Reader } from '../lib/txn_platformatic.mjs'

const PARTITIONS = 3
const PER_PARTITION = 30
const BATCH = 7
const source = `compat-ctp-in-platformatic-${T.runId}`
const sink = `compat-ctp-out-platformatic-${T.runId}`
const groupId = `compat-ctp-platformatic-${T.runId}`
const check = new Checker()

run(async () => {
  const admin = await connectAdmin()
  await admin.createTopics({ topics: [source, sink], partitions: PARTITIONS, replicas: 1 })
  const input = T.keys('in', PARTITIONS, PER_PARTITION)
  const plain = new kafka.Producer({ ...common, acks: -1 })
  await plain.send({ messages: T.records(input, { topic: source }) })
  await plain.close()
  console.log(`input ${source}: ${PER_PARTITION} records in each of ${PARTITIONS} partitions`)

  const consumer = new kafka.Consumer({ ...common, groupId, isolationLevel: 1, sessionTimeout: 10000, heartbeatInterval: 500 })
  const producer = new kafka.Producer({ ...common, idempotent: true, transactionalId: `compat-ctp-platformatic-${T.runId}`, acks: -1 })
  const stream = await consumer.consume({ topics: [source], mode: 'earliest', autocommit: false, maxWaitTime: 200, isolationLevel: 1 })
  let tx = null
  let inBatch = 0
  let processed = 0
  let transactions = 0
  const total = PARTITIONS * PER_PARTITION
  // Awaiting inside the loop holds the stream back, so a batch's records are all handled before its commit.
  for await (const m of stream) {
    if (!tx) {
      tx = await producer.beginTransaction()
      await tx.addConsumer(consumer)
    }
    await tx.send({ messages: [{ topic: sink, key: Buffer.from(`out-${m.key}`), value: m.value, partition: m.partition }] })
    await tx.addOffset(m)
    processed++
    if (++inBatch === BATCH || processed === total) {
      await tx.commit()
      transactions++
      tx = null
      inBatch = 0
    }
    if (processed === total) break
  }
  console.log(`transformed ${processed} records in ${transactions} transactions`)

  const expected = Object.fromEntries(Object.entries(input).map(([p, ks]) => [p, ks.map((k) => `out-${k}`)]))
  const reader = await Reader.open('output', sink, PARTITIONS, 1)
  await T.settle(() => T.hasAll(expected)(reader.view))
  await reader.close()
  console.log(`read_committed output: ${T.count(reader.view)} records`)
  T.compare(check.problems, 'read_committed output', reader.view, expected)

  await stream.close()
  await consumer.close()
  const offsets = await admin.listConsumerGroupOffsets({ groups: [groupId] })
  const committed = Object.fromEntries((offsets[0]?.topics.find((t) => t.name === source)?.partitions ?? [])
    .map((p) => [p.partitionIndex, Number(p.committedOffset)]))
  check.equal("group's committed offsets", committed, Object.fromEntries(Object.keys(input).map((p) => [p, PER_PARTITION])))
  await producer.close()
  await admin.close()
  check.finish()
})
