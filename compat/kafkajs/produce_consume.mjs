// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS: create a 3-partition topic, produce 10,000 keyed records with headers per codec, consume all back.
//
// KafkaJS compresses only with GZIP by itself; lib/kafkajs_codecs.mjs registers Snappy, LZ4 and ZSTD.
// KafkaJS has no consumer without a group, so reading back uses a consumer group (FindCoordinator,
// JoinGroup, SyncGroup, Heartbeat, OffsetFetch besides Fetch).
import kafkajs from 'kafkajs'
import { bootstrap, brokerKind, fail, run } from '../lib/expect.mjs'
import { registerCodecs } from '../lib/kafkajs_codecs.mjs'
import * as R from '../lib/records.mjs'

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = kafkajs
const topic = `compat-pc-kafkajs-${process.env.COMPAT_RUN_ID || 'manual'}`
const TYPES = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD }
const missing = await registerCodecs()
// A codec without its package registered is a function that throws "not implemented".
const available = (type) => { try { return Boolean(CompressionCodecs[type]()) } catch { return false } }
const codecs = R.CODECS.filter((c) => c === 'none' || available(TYPES[c]))

run(async () => {
  if (missing.length > 0) fail(`codec packages missing (run compat/setup): ${missing.join('; ')}`)
  console.log(`topic ${topic}; codecs ${codecs}`)
  const kafka = new Kafka({
    clientId: 'eddy-compat',
    brokers: [bootstrap()],
    logLevel: process.env.COMPAT_DEBUG ? logLevel.DEBUG : logLevel.WARN,
    connectionTimeout: 10000,
    requestTimeout: 30000,
    retry: { retries: 3 },
  })
  const admin = kafka.admin()
  await admin.connect()
  if (brokerKind() === 'mock') {
    console.log('mock cluster: relying on auto-creation (it has no CreateTopics)')
  } else {
    await admin.createTopics({ topics: [{ topic, numPartitions: R.PARTITIONS, replicationFactor: 1 }], waitForLeaders: true })
    console.log(`created ${topic} with ${R.PARTITIONS} partitions`)
  }

  const base = R.baseTimestamp()
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, allowAutoTopicCreation: true, idempotent: false, maxInFlightRequests: 1 })
  await producer.connect()
  for (const codec of codecs) {
    const all = R.records(codec, base)
    for (let at = 0; at < all.length; at += 1000) {
      const messages = all.slice(at, at + 1000).map((r) => ({
        key: r.key, value: r.value, partition: r.partition, timestamp: String(r.timestamp),
        headers: Object.fromEntries(r.headers),
      }))
      await producer.send({ topic, acks: -1, compression: TYPES[codec], messages })
    }
    console.log(`produced ${R.COUNT} records with compression ${codec}`)
  }
  await producer.disconnect()

  const expected = R.byPartition(codecs.flatMap((c) => R.records(c, base)))
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.map((p) => p.partitionId).sort((a, b) => a - b)
  console.log(`${topic} has partitions ${partitions}`)
  const consumed = new Map(partitions.map((p) => [p, []]))
  const complete = () => partitions.every((p) => consumed.get(p).length >= (expected.get(p)?.length ?? 0))
  const problems = []
  const consumer = kafka.consumer({ groupId: `compat-pc-kafkajs-${process.env.COMPAT_RUN_ID || 'manual'}`,
    maxBytesPerPartition: 4 << 20, sessionTimeout: 30000 })
  // A crash (no group coordinator, say) would otherwise be retried until the harness's timeout.
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    fail(`consumer crashed: ${payload.error?.name}: ${payload.error?.message}`))
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let done
  const finished = new Promise((resolve) => { done = resolve })
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        // KafkaJS hands headers over as an object in wire order; the timestamp type is not exposed.
        consumed.get(batch.partition).push({ offset: Number(m.offset), key: m.key, value: m.value,
          headers: Object.entries(m.headers ?? {}), timestamp: Number(m.timestamp) })
      }
      if (complete()) done()
    },
  })
  // Bounded by the harness's timeout: a missing record shows as a timeout with the counts printed below.
  const progress = setInterval(() => console.log('consumed so far:', JSON.stringify([...consumed].map(([p, v]) => [p, v.length]))), 10000)
  await finished
  clearInterval(progress)
  await consumer.disconnect()
  console.log('consumed:', JSON.stringify([...consumed].map(([p, v]) => [p, v.length])))
  problems.push(...R.compare(expected, consumed))

  if (brokerKind() !== 'mock') {  // the mock has no DeleteTopics
    // Deleting is checked by the topics scenario; here it is only tidying up.
    await admin.deleteTopics({ topics: [topic] }).then(() => console.log(`deleted ${topic}`),
      (e) => console.log(`DeleteTopics: ${e.message} (not checked here)`))
  }
  await admin.disconnect()
  if (problems.length) fail(problems.join('; '))
  console.log('ok')
  process.exit(0)
})
