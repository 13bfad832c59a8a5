// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeQuorum v2 from @platformatic/kafka (sent on a bare connection: the client has the API but no Admin
// method for it; the only client here with it), as `kafka-metadata-quorum.sh describe` reads it: the metadata
// partition __cluster_metadata-0 has the controller as leader, an epoch, and a high watermark equal to the
// leader's log end offset; the leader is the one voter, has fetched just now, is listed among the nodes, and
// there are no observers. Creating a topic moves the high watermark on. A topic other than the metadata one
// gets UNKNOWN_TOPIC_OR_PARTITION for each partition asked. SKIP on the mock cluster (no ApiVersions v3).
import { Checker, run } from '../lib/expect.mjs'
import { callKeepingErrors, connectAdmin, kafka, openConnection } from '../lib/txn_platformatic.mjs'

const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-quorum-platformatic-${runId}`
const UNKNOWN_TOPIC_OR_PARTITION = 3
const check = new Checker()

const show = (value) => JSON.stringify(value, (_, v) => typeof v === 'bigint' ? `${v}n` : v)

// The answer for `topics` ([{topicName, partitions: [{partitionIndex}]}]), errors included.
async function describe(connection, topics) {
  const response = await callKeepingErrors(kafka.describeQuorumV2, connection, 'topics', topics)
  console.log(`DescribeQuorum ${show(topics)}: ${show(response)}`)
  return response
}

const metadataPartition = [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }]

run(async () => {
  const admin = await connectAdmin()
  const connection = await openConnection('eddy-compat-describe-quorum')
  const started = Date.now()

  const first = await describe(connection, metadataPartition)
  check.equal('top-level error', first.errorCode, 0)
  check.equal('topics', first.topics.map((t) => t.topicName), ['__cluster_metadata'])
  const p = first.topics[0]?.partitions[0] ?? {}
  check.equal('partition and error', [p.partitionIndex, p.errorCode], [0, 0])
  const leader = p.leaderId
  check.controller(leader)
  if (!(p.leaderEpoch >= 1)) check.problems.push(`leader epoch ${p.leaderEpoch}, expected at least 1`)
  if (!(p.highWatermark > 0n)) check.problems.push(`high watermark ${p.highWatermark}, expected above 0`)
  check.equal('voters', (p.currentVoters ?? []).map((v) => v.replicaId), [leader])
  const voter = p.currentVoters?.[0] ?? {}
  check.equal('the leader\'s log end offset is the high watermark', String(voter.logEndOffset), String(p.highWatermark))
  const fetched = Number(voter.lastFetchTimestamp ?? -1)
  if (!(fetched >= started - 60000 && fetched <= Date.now() + 60000)) check.problems.push(`leader's last fetch ${fetched} is not now (${started})`)
  check.equal('caught up when it fetched', String(voter.lastCaughtUpTimestamp), String(voter.lastFetchTimestamp))
  check.equal('observers', p.observers, [])
  check.equal('nodes', (first.nodes ?? []).map((n) => n.nodeId), [leader])

  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 })
  const after = await describe(connection, metadataPartition)
  const hw = after.topics[0]?.partitions[0]?.highWatermark ?? -1n
  if (!(hw > p.highWatermark)) check.problems.push(`high watermark after a topic was created: ${hw}, before ${p.highWatermark}`)
  check.equal('same leader and epoch', [after.topics[0]?.partitions[0]?.leaderId, after.topics[0]?.partitions[0]?.leaderEpoch], [leader, p.leaderEpoch])

  const other = await describe(connection, [{ topicName: topic, partitions: [{ partitionIndex: 0 }, { partitionIndex: 1 }] }])
  check.equal('another topic\'s partitions', (other.topics[0]?.partitions ?? []).map((q) => [q.partitionIndex, q.errorCode]),
    [[0, UNKNOWN_TOPIC_OR_PARTITION], [1, UNKNOWN_TOPIC_OR_PARTITION]])

  await connection.close()
  await admin.deleteTopics({ topics: [topic] })
  await admin.close()
  check.finish()
})
