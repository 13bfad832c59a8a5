// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS admin.deleteTopicRecords (DeleteRecords): move three partitions' log start
// offsets in one request (to an offset, to the high watermark with -1, and nowhere), see
// them in fetchTopicOffsets (ListOffsets), read from the new start, and get
// OFFSET_OUT_OF_RANGE for an offset past the end and INVALID_TOPIC_EXCEPTION for an
// internal topic. A partition named twice is trimmed to its last mention's offset.
import kafkajs from 'kafkajs'
import { bootstrap, brokerKind, Checker, run, skip } from '../lib/expect.mjs'
import { client } from './common.mjs'

const topic = `compat-delete-records-${process.env.COMPAT_RUN_ID || 'manual'}`
const PER_PARTITION = 10

// The error type of a DeleteRecords that fails, or null when it succeeds.
async function refusal(admin, name, partition, offset) {
  try {
    await admin.deleteTopicRecords({ topic: name, partitions: [{ partition, offset }] })
    return null
  } catch (e) {
    // KafkaJS's retrier wraps the per-partition error it gave up on.
    const failed = e.partitions ? e : e.cause
    return failed?.partitions?.[0]?.error?.type ?? `${e.name}: ${e.message}`
  }
}

run(async () => {
  if (brokerKind() === 'mock') skip('the mock cluster has no CreateTopics or DeleteRecords')
  const kafka = client(bootstrap(), 'eddy-compat')
  const check = new Checker()
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })
    const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, idempotent: false })
    await producer.connect()
    const messages = []
    for (let p = 0; p < 3; p++) {
      for (let i = 0; i < PER_PARTITION; i++) messages.push({ partition: p, key: `k${p}-${i}`, value: `v${p}-${i}` })
    }
    await producer.send({ topic, acks: -1, messages })
    await producer.disconnect()
    console.log(`produced ${PER_PARTITION} records to each of 3 partitions`)

    // KafkaJS's deleteTopicRecords finds leaders in the admin's cached metadata only,
    // which does not hold a topic the admin has not asked about yet.
    await admin.fetchTopicMetadata({ topics: [topic] })
    await admin.deleteTopicRecords({
      topic,
      partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '-1' }, { partition: 2, offset: '0' }],
    })
    const offsets = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition)
    console.log(`after deleteTopicRecords: ${JSON.stringify(offsets)}`)
    check.equal('low watermarks', offsets.map((o) => o.low), ['4', String(PER_PARTITION), '0'])
    check.equal('high watermarks', offsets.map((o) => o.high), Array(3).fill(String(PER_PARTITION)))

    // A consumer from the beginning of partition 0 starts at the new log start offset.
    const consumer = kafka.consumer({ groupId: `${topic}-reader` })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const seen = []
    await new Promise((resolve, reject) => {
      consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (partition === 0) seen.push(`${message.offset}:${message.value}`)
          if (seen.length === PER_PARTITION - 4) resolve()
        },
      }).catch(reject)
    })
    await consumer.disconnect()
    check.equal('partition 0 read from the start', seen.slice(0, 2), ['4:v0-4', '5:v0-5'])

    const refused = await refusal(admin, topic, 2, String(PER_PARTITION + 5))
    console.log(`past the high watermark: ${refused}`)
    check.equal('an offset past the high watermark', refused, 'OFFSET_OUT_OF_RANGE')
    const after = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === 2)
    check.equal('partition 2 low watermark after the refusal', after.low, '0')

    // KafkaJS sends a partition named twice as given; Kafka keeps its partitions in a map,
    // so the last mention's offset is the one trimmed to, even when it is the lower.
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 2, offset: '6' }, { partition: 2, offset: '3' }] })
    const twice = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === 2)
    console.log(`partition 2 named twice (6, then 3): low watermark ${twice.low}`)
    check.equal('partition 2 trimmed to its last mention', twice.low, '3')

    // The group above made __consumer_offsets; its records are the coordinator's alone.
    await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })
    check.equal('the offsets topic is refused', await refusal(admin, '__consumer_offsets', 0, '-1'),
      'INVALID_TOPIC_EXCEPTION')
    await admin.deleteTopics({ topics: [topic] })
  } finally {
    await admin.disconnect()
  }
  check.finish()
})
