// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS: a transactional producer ({transactionalId, idempotent, maxInFlightRequests: 1}) commits and
// aborts transactions, interleaved, over a 3-partition topic; each transaction also commits a group's
// offsets (sendOffsets). A read_committed consumer (readUncommitted: false) sees exactly the committed
// records, in order per partition, and nothing of a transaction still open; a read_uncommitted one sees
// every record; no control record surfaces as a message. The group's offsets are those of the last
// committed transaction, never an aborted one's.
import { Checker, run } from '../lib/expect.mjs'
import * as T from '../lib/txn.mjs'
import { committedOffsets } from './common.mjs'
import { kafka, partitionsOf, read, transactionalProducer } from '../lib/txn_kafkajs.mjs'

const PARTITIONS = 3
const PER_PARTITION = 10
// Ends with an abort, so offsets an aborted transaction leaked would be what the group shows.
const OUTCOMES = ['commit', 'abort', 'commit', 'commit', 'abort', 'abort', 'commit', 'abort']
const topic = `compat-txn-kafkajs-${T.runId}`
const group = `compat-txn-offsets-kafkajs-${T.runId}`
const check = new Checker()

run(async () => {
  const admin = kafka.admin()
  await admin.connect()
  if (T.markers) await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true })
  const producer = await transactionalProducer(`compat-txn-kafkajs-${T.runId}`)
  const partitions = await partitionsOf(admin, topic)
  console.log(`topic ${topic}, partitions ${partitions}; transactions: ${OUTCOMES.join(' ')}`)

  // Transaction t writes PER_PARTITION records to every partition and commits the group's offset t + 1 everywhere.
  const transaction = async (t) => {
    const tx = await producer.transaction()
    const batch = T.keys(`t${t}`, partitions.length, PER_PARTITION)
    await tx.send({ topic, acks: -1, messages: T.records(batch) })
    await tx.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: partitions.map((p) => ({ partition: p, offset: String(t + 1) })) }] })
    return { tx, batch }
  }
  let { committed, everything, lastCommitted, open: { tx: open, batch: openBatch } } = await T.writeTransactions(OUTCOMES, transaction)
  const tOpen = OUTCOMES.length
  console.log(`produced ${OUTCOMES.length} transactions of ${PER_PARTITION} records per partition; transaction ${tOpen} is open`)

  const everyPartition = (offset) => Object.fromEntries(partitions.map((p) => [p, offset]))
  if (T.markers) {
    const seen = await read(topic, partitions, false, T.hasAll(committed))
    console.log(`read_committed with transaction ${tOpen} open: ${T.count(seen)} records`)
    T.compare(check.problems, 'read_committed while a transaction is open', seen, committed)
    check.equal('group offsets while a transaction is open', await committedOffsets(admin, group, topic), everyPartition(lastCommitted + 1))
  } else {
    console.log('mock cluster: no transaction markers or transactional offsets, so read_committed and the group offsets are not checked')
  }
  const seenAll = await read(topic, partitions, true, T.hasAll(everything))
  console.log(`read_uncommitted: ${T.count(seenAll)} records`)
  T.compare(check.problems, 'read_uncommitted', seenAll, everything)

  await open.commit()
  committed = T.merge(committed, openBatch)
  console.log(`committed transaction ${tOpen}`)
  if (T.markers) {
    const seen = await read(topic, partitions, false, T.hasAll(committed))
    console.log(`read_committed after the last commit: ${T.count(seen)} records`)
    T.compare(check.problems, 'read_committed after the last commit', seen, committed)
    check.equal('group offsets after the last commit', await committedOffsets(admin, group, topic), everyPartition(tOpen + 1))
  }
  await producer.disconnect()
  await admin.disconnect()
  check.finish()
})
