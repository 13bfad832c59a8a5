// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka's DescribeProducers (v0, sent on the client's own Connection: its Admin has no
// method for it): an idempotent producer writes to partitions 0 and 1, a transactional one to partition 2.
// Each partition names its producer with the id and epoch the client was given, the sequence of its last
// record and a timestamp from this run; the open transaction's first offset is reported until the commit,
// which also sets the coordinator epoch. A partition the topic does not have gets
// UNKNOWN_TOPIC_OR_PARTITION while the others in the same request still answer.
// SKIP on the mock cluster, which has no ApiVersions v3 (the only one this client speaks).
import { Checker, run } from '../lib/expect.mjs'
import { waitUntil } from '../lib/groups.mjs'
import { callKeepingErrors, common, connectAdmin, kafka, openConnection, partitionRecords } from '../lib/txn_platformatic.mjs'

const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-describe-producers-platformatic-${runId}`
const UNKNOWN_TOPIC_OR_PARTITION = 3
const check = new Checker()

const records = (partition, count) => partitionRecords(topic, partition, count)

// DescribeProducers for `partitions` of the topic: {partition: answer}, an errored partition included
// (the client throws for any partition error and keeps the whole response on the error).
async function describe(connection, partitions) {
  const response = await callKeepingErrors(kafka.describeProducersV0, connection, 'topics', [{ name: topic, partitionIndexes: partitions }])
  const answers = {}
  for (const p of response.topics.find((t) => t.name === topic)?.partitions ?? []) answers[p.partitionIndex] = p
  console.log(`DescribeProducers ${JSON.stringify(partitions)}: ${JSON.stringify(answers, (_, v) => typeof v === 'bigint' ? `${v}n` : v)}`)
  return answers
}

// The one active producer of a partition, as the check compares it.
function only(answer) {
  if (answer?.errorCode !== 0 || answer.activeProducers.length !== 1) return { errorCode: answer?.errorCode, producers: answer?.activeProducers.length }
  const p = answer.activeProducers[0]
  return { producerId: String(p.producerId), producerEpoch: p.producerEpoch, lastSequence: p.lastSequence, currentTxnStartOffset: String(p.currentTxnStartOffset) }
}

run(async () => {
  const admin = await connectAdmin()
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 })
  console.log(`topic ${topic}, 3 partitions`)
  const started = Date.now()

  const idempotent = new kafka.Producer({ ...common, clientId: 'eddy-compat-idempotent', idempotent: true, acks: -1 })
  await idempotent.send({ messages: records(0, 5) })
  await idempotent.send({ messages: records(1, 3) })
  await idempotent.send({ messages: records(0, 2) })
  const transactional = new kafka.Producer({ ...common, clientId: 'eddy-compat-transactional', idempotent: true, transactionalId: `${topic}-txn`, acks: -1 })
  const tx = await transactional.beginTransaction()
  await tx.send({ messages: records(2, 4) })
  const idem = { producerId: String(idempotent.producerId), producerEpoch: idempotent.producerEpoch }
  const txn = { producerId: String(transactional.producerId), producerEpoch: transactional.producerEpoch }
  console.log(`idempotent producer ${JSON.stringify(idem)}, transactional producer ${JSON.stringify(txn)}`)

  const connection = await openConnection('eddy-compat-describe-producers')

  const open = await describe(connection, [0, 1, 2, 7])
  check.equal('partition 0', only(open[0]), { ...idem, lastSequence: 6, currentTxnStartOffset: '-1' })
  check.equal('partition 1', only(open[1]), { ...idem, lastSequence: 2, currentTxnStartOffset: '-1' })
  check.equal('partition 2, transaction open', only(open[2]), { ...txn, lastSequence: 3, currentTxnStartOffset: '0' })
  check.equal('partition 7 (not in the topic)', open[7]?.errorCode, UNKNOWN_TOPIC_OR_PARTITION)
  for (const p of [0, 1, 2]) {
    const when = Number(open[p]?.activeProducers[0]?.lastTimestamp ?? -1)
    if (!(when >= started - 60000 && when <= Date.now() + 60000)) check.problems.push(`partition ${p}: last timestamp ${when} is not from this run (started ${started})`)
  }
  check.equal('coordinator epoch before any marker, partition 0', open[0]?.activeProducers[0]?.coordinatorEpoch, -1)

  await tx.commit()
  // The commit's reply comes once PrepareCommit is written (as Kafka's); the marker that ends the
  // transaction in the partition follows.
  let committed
  await waitUntil('the commit marker in partition 2', async () => {
    committed = await describe(connection, [2])
    return committed[2]?.activeProducers[0]?.currentTxnStartOffset === -1n
  }, 10000)
  check.equal('partition 2, committed', only(committed[2]), { ...txn, lastSequence: 3, currentTxnStartOffset: '-1' })
  const epoch = committed[2]?.activeProducers[0]?.coordinatorEpoch
  if (!(epoch >= 0)) check.problems.push(`partition 2: coordinator epoch after the commit marker is ${epoch}, expected the coordinator's (>= 0)`)

  await connection.close()
  await transactional.close()
  await idempotent.close()
  await admin.deleteTopics({ topics: [topic] })
  await admin.close()
  check.finish()
})
