// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka: a transactional producer ({idempotent, transactionalId}, beginTransaction, send,
// commit, abort) commits and aborts transactions over a 3-partition topic while a read_committed consumer
// (isolationLevel 1) follows the topic: it sees exactly the committed records, in order per partition, and
// nothing of a transaction still open; a read_uncommitted consumer (isolationLevel 0) reading from the
// start sees every record; no control record surfaces as a message.
//
// Commits and aborts alternate, and the read_committed consumer has seen each commit before the next
// transaction starts, so one Fetch response never holds two aborted transactions of the producer:
// @platformatic/kafka 1.35 keeps one aborted range per producer id per response (consumer.js,
// #filterUncommittedMessages), so it would deliver the records of all but the last of them.
// SKIP on the mock cluster, which has no ApiVersions v3 (the only one this client speaks).
import { Checker, run } from '../lib/expect.mjs'
import * as T from '../lib/txn.mjs'
import { common, connectAdmin, kafka, Reader } from '../lib/txn_platformatic.mjs'

const PARTITIONS = 3
const PER_PARTITION = 10
const OUTCOMES = ['commit', 'abort', 'commit', 'abort', 'commit', 'abort', 'commit']
const topic = `compat-txn-platformatic-${T.runId}`
const check = new Checker()

run(async () => {
  const admin = await connectAdmin()
  await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 })
  console.log(`topic ${topic}, ${PARTITIONS} partitions; transactions: ${OUTCOMES.join(' ')}`)
  const producer = new kafka.Producer({ ...common, idempotent: true, transactionalId: `compat-txn-platformatic-${T.runId}`, acks: -1 })
  const following = await Reader.open('committed', topic, PARTITIONS, 1)

  const transaction = async (t) => {
    const tx = await producer.beginTransaction()
    const batch = T.keys(`t${t}`, PARTITIONS, PER_PARTITION)
    await tx.send({ messages: T.records(batch, { topic }) })
    return { tx, batch }
  }
  // The follower must have seen each commit before the next transaction starts (see the top).
  let { committed, everything, open: { tx: open, batch: openBatch } } = await T.writeTransactions(OUTCOMES, transaction,
    (sofar) => T.settle(() => T.hasAll(sofar)(following.view), 0))
  const tOpen = OUTCOMES.length
  console.log(`produced ${OUTCOMES.length} transactions of ${PER_PARTITION} records per partition; transaction ${tOpen} is open`)
  await T.settle(() => true) // a quiet period: nothing of the open transaction may arrive
  console.log(`read_committed with transaction ${tOpen} open: ${T.count(following.view)} records`)
  T.compare(check.problems, 'read_committed while a transaction is open', following.view, committed)

  const all = await Reader.open('uncommitted', topic, PARTITIONS, 0)
  await T.settle(() => T.hasAll(everything)(all.view))
  console.log(`read_uncommitted: ${T.count(all.view)} records`)
  T.compare(check.problems, 'read_uncommitted', all.view, everything)
  await all.close()

  await open.commit()
  committed = T.merge(committed, openBatch)
  await T.settle(() => T.hasAll(committed)(following.view))
  console.log(`read_committed after committing transaction ${tOpen}: ${T.count(following.view)} records`)
  T.compare(check.problems, 'read_committed after the last commit', following.view, committed)
  await following.close()
  await producer.close()
  await admin.close()
  check.finish()
})
