// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka's Admin on a consumer group's committed offsets: alterConsumerGroupOffsets
// (OffsetCommit from outside the group) sets them for a group with no members, listConsumerGroupOffsets
// (OffsetFetch) shows them, deleteConsumerGroupOffsets (OffsetDelete) removes one. A consumer of the group
// then starts each partition where the group says: at the altered offsets, and from the earliest offset
// where the offset was deleted. While that consumer is subscribed, deleting an offset of its topic is
// refused with GROUP_SUBSCRIBED_TO_TOPIC; once it has left, the same delete goes through.
// SKIP on the mock cluster, which has no ApiVersions v3 (the only one this client speaks).
import { Checker, run } from '../lib/expect.mjs'
import { common, connectAdmin, kafka } from '../lib/txn_platformatic.mjs'

const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-group-offsets-admin-platformatic-${runId}`
const groupId = topic
const PARTITIONS = 3
const PER_PARTITION = 12
const GROUP_SUBSCRIBED_TO_TOPIC = 86
const check = new Checker()

// {partition: committed offset} of this topic for the group (a partition without one is absent).
async function committed(admin) {
  const groups = await admin.listConsumerGroupOffsets({ groups: [groupId] })
  const partitions = groups.find((g) => g.groupId === groupId)?.topics.find((t) => t.name === topic)?.partitions ?? []
  const offsets = Object.fromEntries(partitions.filter((p) => p.committedOffset >= 0n)
    .map((p) => [p.partitionIndex, Number(p.committedOffset)]))
  console.log(`committed offsets: ${JSON.stringify(offsets)}`)
  return offsets
}

const deleteOffsets = (admin, partitionIndexes) =>
  admin.deleteConsumerGroupOffsets({ groupId, topics: [{ name: topic, partitionIndexes }] })

// The partition error codes somewhere inside a failed call's error (the client nests them).
function errorCodes(e, seen = new Set()) {
  if (!e || typeof e !== 'object' || seen.has(e)) return []
  seen.add(e)
  const own = typeof e.errorCode === 'number' && e.errorCode !== 0 ? [e.errorCode] : []
  return [...own, ...Object.values(e).flatMap((v) => errorCodes(v, seen)), ...(e.errors ?? []).flatMap((v) => errorCodes(v, seen))]
}

run(async () => {
  const admin = await connectAdmin()
  await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 })
  const producer = new kafka.Producer({ ...common, clientId: 'eddy-compat-producer', acks: -1 })
  await producer.send({
    messages: Array.from({ length: PARTITIONS * PER_PARTITION }, (_, i) => ({
      topic, partition: i % PARTITIONS, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`),
    })),
  })
  console.log(`topic and group ${topic}: ${PER_PARTITION} records in each of ${PARTITIONS} partitions`)

  await admin.alterConsumerGroupOffsets({
    groupId,
    topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 3n }, { partition: 1, offset: 5n }, { partition: 2, offset: 10n }] }],
  })
  check.equal('after alterConsumerGroupOffsets', await committed(admin), { 0: 3, 1: 5, 2: 10 })
  await deleteOffsets(admin, [1])
  check.equal('after deleting partition 1', await committed(admin), { 0: 3, 2: 10 })

  // A member of the group starts where the group's offsets say; partition 1 falls back to the earliest.
  const consumer = new kafka.Consumer({ ...common, clientId: 'eddy-compat-member', groupId })
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: 200 })
  const first = {}
  const seen = new Promise((resolve, reject) => {
    stream.on('data', (m) => {
      first[m.partition] ??= Number(m.offset)
      if (Object.keys(first).length === PARTITIONS) resolve()
    })
    stream.on('error', reject)
  })
  await seen
  console.log(`the member's first offset per partition: ${JSON.stringify(first)}`)
  check.equal('first offsets consumed', first, { 0: 3, 1: 0, 2: 10 })

  let refused = null
  try {
    await deleteOffsets(admin, [0])
  } catch (e) {
    refused = e
  }
  console.log(`deleting partition 0 with a subscribed member: ${refused ? `refused, codes ${JSON.stringify(errorCodes(refused))}` : 'accepted'}`)
  check.equal('delete while subscribed', refused ? errorCodes(refused).includes(GROUP_SUBSCRIBED_TO_TOPIC) : 'accepted', true)
  check.equal('offsets kept after the refused delete', await committed(admin), { 0: 3, 2: 10 })

  await stream.close()
  await consumer.close()
  await deleteOffsets(admin, [0])
  check.equal('after the member left and partition 0 was deleted', await committed(admin), { 2: 10 })

  await producer.close()
  await admin.deleteGroups({ groups: [groupId] })
  await admin.deleteTopics({ topics: [topic] })
  await admin.close()
  check.finish()
})
