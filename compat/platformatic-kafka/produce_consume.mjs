// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka: create a 3-partition topic, produce 10,000 keyed records with headers per codec, consume all back.
//
// Codecs: none, gzip, snappy and lz4 are built in; zstd comes from node:zlib (Node.js >= 22.15), which
// lib/zlib_zstd.mjs provides on older Node.js before the client is loaded. Reading back uses a consumer stream in "earliest" mode,
// which joins a consumer group (FindCoordinator, JoinGroup, SyncGroup, Heartbeat) besides Fetch.
import { bootstrap, brokerKind, fail, run, skip } from '../lib/expect.mjs'
import * as R from '../lib/records.mjs'
import { provideZlibZstd } from '../lib/zlib_zstd.mjs'

if (process.env.COMPAT_DEBUG) process.env.DEBUG ??= 'plt:kafka:*'
await provideZlibZstd()
const { Admin, Consumer, Producer, compressionsAlgorithms } = await import('@platformatic/kafka')

const topic = `compat-pc-platformatic-${process.env.COMPAT_RUN_ID || 'manual'}`
const codecs = R.CODECS.filter((c) => c === 'none' || compressionsAlgorithms[c]?.available)
const common = { clientId: 'eddy-compat', bootstrapBrokers: [bootstrap()], timeout: 30000, retries: 3 }

run(async () => {
  const unavailable = R.CODECS.filter((c) => !codecs.includes(c))
  if (unavailable.length > 0) fail(`codecs unavailable in this client: ${unavailable}`)
  console.log(`topic ${topic}; codecs ${codecs}`)
  const admin = new Admin(common)
  try {
    await admin.listApis()
  } catch (e) {
    // This client speaks only ApiVersions v3, which librdkafka 2.0's mock cluster does not answer.
    if (brokerKind() === 'mock' && e.response?.errorCode === 35) skip('the mock cluster has no ApiVersions v3')
    throw e
  }
  if (brokerKind() !== 'mock') {
    await admin.createTopics({ topics: [topic], partitions: R.PARTITIONS, replicas: 1 })
    console.log(`created ${topic} with ${R.PARTITIONS} partitions`)
  }

  const base = R.baseTimestamp()
  const producer = new Producer({ ...common, acks: -1, autocreateTopics: true })
  for (const codec of codecs) {
    const all = R.records(codec, base)
    for (let at = 0; at < all.length; at += 1000) {
      const messages = all.slice(at, at + 1000).map((r) => ({
        topic, key: r.key, value: r.value, partition: r.partition, timestamp: BigInt(r.timestamp),
        headers: new Map(r.headers.map(([k, v]) => [Buffer.from(k), v])),
      }))
      await producer.send({ messages, acks: -1, compression: codec })
    }
    console.log(`produced ${R.COUNT} records with compression ${codec}`)
  }
  await producer.close()

  const expected = R.byPartition(codecs.flatMap((c) => R.records(c, base)))
  const metadata = await admin.metadata({ topics: [topic] })
  const partitions = [...metadata.topics.get(topic).partitions.keys()].map(Number).sort((a, b) => a - b)
  console.log(`${topic} has partitions ${partitions}`)
  const consumed = new Map(partitions.map((p) => [p, []]))
  const complete = () => partitions.every((p) => consumed.get(p).length >= (expected.get(p)?.length ?? 0))

  const consumer = new Consumer({ ...common, groupId: `compat-pc-platformatic-${process.env.COMPAT_RUN_ID || 'manual'}` })
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 500 })
  const progress = setInterval(() => console.log('consumed so far:', JSON.stringify([...consumed].map(([p, v]) => [p, v.length]))), 10000)
  if (!complete()) {
    for await (const m of stream) {
      consumed.get(m.partition).push({ offset: Number(m.offset), key: m.key, value: m.value,
        headers: [...m.headers].map(([k, v]) => [k.toString(), v]), timestamp: Number(m.timestamp) })
      if (complete()) break
    }
  }
  clearInterval(progress)
  await stream.close()
  await consumer.close()
  console.log('consumed:', JSON.stringify([...consumed].map(([p, v]) => [p, v.length])))
  const problems = R.compare(expected, consumed)

  if (brokerKind() !== 'mock') {
    // Deleting is checked by the topics scenario; here it is only tidying up.
    await admin.deleteTopics({ topics: [topic] }).then(() => console.log(`deleted ${topic}`),
      (e) => console.log(`DeleteTopics: ${e.message} (not checked here)`))
  }
  await admin.close()
  if (problems.length) fail(problems.join('; '))
  console.log('ok')
  process.exit(0)
})
