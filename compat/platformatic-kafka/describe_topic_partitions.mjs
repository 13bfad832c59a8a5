// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeTopicPartitions v0 from @platformatic/kafka (sent on a bare connection: the client has the API but
// no Admin method for it; the only client here with it), the call behind Kafka 3.8's Admin.describeTopics:
// two topics of 3 and 2 partitions come back sorted by name, each partition led by the expected controller
// with itself as the only replica and ISR, and the topic ids Metadata gives. With a limit of two partitions
// an answer, following the cursor visits every partition once, in order. A topic that does not exist gets
// UNKNOWN_TOPIC_OR_PARTITION. SKIP on the mock cluster (no ApiVersions v3).
import { Checker, expectedController, run } from '../lib/expect.mjs'
import { callKeepingErrors, connectAdmin, kafka, openConnection } from '../lib/txn_platformatic.mjs'

const runId = process.env.COMPAT_RUN_ID || 'local'
const first = `compat-dtp-a-platformatic-${runId}`
const second = `compat-dtp-b-platformatic-${runId}`
const missing = `compat-dtp-missing-${runId}`
const UNKNOWN_TOPIC_OR_PARTITION = 3
const check = new Checker()

const show = (value) => JSON.stringify(value, (_, v) => typeof v === 'bigint' ? `${v}n` : v)

async function describe(connection, names, limit, cursor) {
  const response = await callKeepingErrors(kafka.describeTopicPartitionsV0, connection, 'topics', names.map((name) => ({ name })), limit, cursor)
  console.log(`DescribeTopicPartitions ${show({ names, limit, cursor })}: ${show(response)}`)
  return response
}

// "topic:partition" for each partition, "topic!error" for an errored topic.
const listed = (response) => response.topics.flatMap((t) =>
  t.errorCode !== 0 ? [`${t.name}!${t.errorCode}`] : t.partitions.map((p) => `${t.name}:${p.partitionIndex}`))

run(async () => {
  const admin = await connectAdmin()
  await admin.createTopics({ topics: [second], partitions: 2, replicas: 1 })
  await admin.createTopics({ topics: [first], partitions: 3, replicas: 1 })
  const metadata = await admin.metadata({ topics: [first, second] })
  const connection = await openConnection('eddy-compat-describe-topic-partitions')

  const whole = await describe(connection, [second, missing, first], 2000, null)
  check.equal('one answer', listed(whole), [`${first}:0`, `${first}:1`, `${first}:2`, `${second}:0`, `${second}:1`, `${missing}!${UNKNOWN_TOPIC_OR_PARTITION}`])
  check.equal('no cursor when everything fits', whole.nextCursor ?? null, null)
  const leader = expectedController()
  for (const t of whole.topics.filter((t) => t.errorCode === 0)) {
    check.equal(`${t.name}: topic id as in Metadata`, t.topicId, metadata.topics.get(t.name)?.id)
    for (const p of t.partitions) {
      const seen = { leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes, offline: p.offlineReplicas }
      if (leader !== null) check.equal(`${t.name}-${p.partitionIndex}`, seen, { leader, replicas: [leader], isr: [leader], offline: [] })
    }
  }

  // Two partitions an answer, following the cursor.
  const visited = []
  let cursor = null
  for (let page = 0; page < 10; page++) {
    const answer = await describe(connection, [first, second], 2, cursor)
    visited.push(listed(answer))
    cursor = answer.nextCursor ? { topicName: answer.nextCursor.topicName, partitionIndex: answer.nextCursor.partitionIndex } : null
    if (!cursor) break
  }
  check.equal('pages of two', visited, [[`${first}:0`, `${first}:1`], [`${first}:2`, `${second}:0`], [`${second}:1`]])

  await connection.close()
  await admin.deleteTopics({ topics: [first, second] })
  await admin.close()
  check.finish()
})
