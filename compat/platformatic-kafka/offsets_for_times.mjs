// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka: Admin.listOffsets (ListOffsets) for earliest, latest, max timestamp and timestamps on records with known timestamps.
import { bootstrap, brokerKind, Checker, run, skip } from '../lib/expect.mjs'
import * as R from '../lib/records.mjs'

if (process.env.COMPAT_DEBUG) process.env.DEBUG ??= 'plt:kafka:*'
const { Admin, Producer } = await import('@platformatic/kafka')

const topic = `compat-oft-platformatic-${process.env.COMPAT_RUN_ID || 'manual'}`
const common = { clientId: 'eddy-compat', bootstrapBrokers: [bootstrap()], timeout: 30000, retries: 3 }

run(async () => {
  console.log(`topic ${topic}`)
  const admin = new Admin(common)
  try {
    await admin.listApis()
  } catch (e) {
    // This client speaks only ApiVersions v3, which librdkafka 2.0's mock cluster does not answer.
    if (brokerKind() === 'mock' && e.response?.errorCode === 35) skip('the mock cluster has no ApiVersions v3')
    throw e
  }
  if (brokerKind() !== 'mock') await admin.createTopics({ topics: [topic], partitions: R.PARTITIONS, replicas: 1 })

  const base = R.baseTimestamp()
  const producer = new Producer({ ...common, acks: -1, autocreateTopics: true })
  const messages = []
  for (let p = 0; p < R.PARTITIONS; p++) {
    for (let j = 0; j < R.TIME_COUNT; j++) {
      const r = R.timeRecord(p, j, base)
      messages.push({ topic, key: r.key, value: r.value, partition: p, timestamp: BigInt(r.timestamp) })
    }
  }
  await producer.send({ messages, acks: -1 })
  await producer.close()
  console.log(`produced ${R.TIME_COUNT} records to each of ${R.PARTITIONS} partitions, base timestamp ${base}`)

  // One ListOffsets per lookup, naming every partition (a partition may appear only once per request).
  const ask = async (timestampOf) => {
    const [answer] = await admin.listOffsets({ topics: [{ name: topic,
      partitions: [0, 1, 2].map((p) => ({ partitionIndex: p, timestamp: BigInt(timestampOf(p)) })) }] })
    return new Map(answer.partitions.map((a) => [a.partitionIndex, Number(a.offset)]))
  }
  const check = new Checker()
  const earliest = await ask(() => -2)
  const latest = await ask(() => -1)
  console.log('earliest:', JSON.stringify([...earliest]), 'latest:', JSON.stringify([...latest]))
  check.equal('earliest offsets', [...earliest].sort(), [[0, 0], [1, 0], [2, 0]])
  check.equal('latest offsets', [...latest].sort(), [0, 1, 2].map((p) => [p, R.TIME_COUNT]))
  // Max timestamp (-3): the first record of the latest timestamp, which the last two share.
  const [max] = await admin.listOffsets({ topics: [{ name: topic,
    partitions: [0, 1, 2].map((p) => ({ partitionIndex: p, timestamp: -3n })) }] })
  const maxGot = max.partitions.map((a) => [a.partitionIndex, Number(a.offset), Number(a.timestamp)])
  console.log('max timestamp:', JSON.stringify(maxGot))
  check.equal('max timestamp offsets', maxGot.sort(), [0, 1, 2].map((p) =>
    [p, R.TIME_COUNT - 2, R.timeRecord(p, R.TIME_COUNT - 1, base).timestamp]))
  const answers = []
  const queries = [0, 1, 2].map((p) => R.timeQueries(p, base))
  for (let k = 0; k < queries[0].length; k++) {
    const got = await ask((p) => queries[p][k][0])
    for (let p = 0; p < R.PARTITIONS; p++) {
      const [ts, want] = queries[p][k]
      answers.push({ p, ts, got: got.get(p), want: want ?? -1 })  // "no such record" is offset -1
      console.log(`partition ${p} timestamp base+${ts - base}: offset ${got.get(p)}`)
    }
  }
  await admin.close()
  for (const a of answers) check.equal(`partition ${a.p} offset for timestamp base+${a.ts - base}`, a.got, a.want)
  check.finish()
})
