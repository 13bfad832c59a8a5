// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka's Admin.describeLogDirs (DescribeLogDirs v4, the only client here with it): a topic
// of three partitions, 40 records in partition 0, 10 in partition 1 and none in 2, is found in one log dir,
// named by an absolute path, with a file system of non-zero size; the partitions' sizes follow what was
// written (0 for the empty one), with offset lag 0 and no future replica. After records reach partition 2,
// its size grows. A partition the topic does not have and a topic that does not exist are left out of the
// answer without an error, as Kafka does. SKIP on the mock cluster (no ApiVersions v3).
import { Checker, run } from '../lib/expect.mjs'
import { common, connectAdmin, kafka, partitionRecords } from '../lib/txn_platformatic.mjs'

const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-log-dirs-platformatic-${runId}`
const missing = `compat-log-dirs-missing-${runId}`
const check = new Checker()

const show = (value) => JSON.stringify(value, (_, v) => typeof v === 'bigint' ? `${v}n` : v)

// The dirs that hold the topic, over every broker's answer: [{logDir, totalBytes, usableBytes, partitions}],
// partitions as {index: {size, offsetLag, isFutureKey}}; also whether any other topic was named in the answer.
async function describe(admin, partitions) {
  const answers = await admin.describeLogDirs({ topics: [{ name: topic, partitions }, { name: missing, partitions: [0] }] })
  console.log(`describeLogDirs ${show(partitions)}: ${show(answers)}`)
  const dirs = []
  let others = []
  for (const broker of answers) {
    for (const result of broker.results) {
      for (const t of result.topics) if (t.name !== topic) others.push(t.name)
      const mine = result.topics.find((t) => t.name === topic)
      if (!mine) continue
      const byIndex = {}
      for (const p of mine.partitions) byIndex[p.partitionIndex] = { size: Number(p.partitionSize), offsetLag: Number(p.offsetLag), isFutureKey: p.isFutureKey }
      dirs.push({ logDir: result.logDir, totalBytes: result.totalBytes, usableBytes: result.usableBytes, partitions: byIndex })
    }
  }
  return { dirs, others }
}

run(async () => {
  const admin = await connectAdmin()
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 })
  const producer = new kafka.Producer({ ...common, clientId: 'eddy-compat-log-dirs', acks: -1 })
  await producer.send({ messages: partitionRecords(topic, 0, 40) })
  await producer.send({ messages: partitionRecords(topic, 1, 10) })
  console.log(`topic ${topic}: 40 records in partition 0, 10 in partition 1, none in 2`)

  const first = await describe(admin, [0, 1, 2, 7])
  check.equal('log dirs holding the topic', first.dirs.length, 1)
  check.equal('other topics in the answer', first.others, [])
  const dir = first.dirs[0] ?? { partitions: {} }
  if (!String(dir.logDir).startsWith('/')) check.problems.push(`log dir ${dir.logDir} is not an absolute path`)
  if (!(dir.totalBytes > 0n && dir.usableBytes >= 0n && dir.usableBytes <= dir.totalBytes)) {
    check.problems.push(`file system bytes: total ${dir.totalBytes}, usable ${dir.usableBytes}`)
  }
  check.equal('partitions listed', Object.keys(dir.partitions).sort(), ['0', '1', '2'])
  const [p0, p1, p2] = [0, 1, 2].map((i) => dir.partitions[i] ?? {})
  if (!(p0.size > p1.size && p1.size > 0)) check.problems.push(`sizes: partition 0 ${p0.size}, partition 1 ${p1.size}; expected 0 > 1 > 0`)
  check.equal('size of the empty partition 2', p2.size, 0)
  for (const [i, p] of [p0, p1, p2].entries()) check.equal(`partition ${i} lag and future flag`, [p.offsetLag, p.isFutureKey], [0, false])

  await producer.send({ messages: partitionRecords(topic, 2, 20) })
  const second = await describe(admin, [2])
  const grown = second.dirs[0]?.partitions ?? {}
  check.equal('partitions listed when only 2 is asked', Object.keys(grown), ['2'])
  if (!(grown[2]?.size > 0)) check.problems.push(`partition 2 after 20 records: size ${grown[2]?.size}`)
  check.equal('the same log dir', second.dirs[0]?.logDir, dir.logDir)

  await producer.close()
  await admin.deleteTopics({ topics: [topic] })
  await admin.close()
  check.finish()
})
