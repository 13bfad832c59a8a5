// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS: three consumers of one group share a 6-partition topic, one leaves and its partitions move,
// committed offsets are where a new member resumes; list, describe and delete the group.
import { createRequire } from 'node:module'
import kafkajs from 'kafkajs'
import { bootstrap, brokerKind, Checker, run } from '../lib/expect.mjs'
import * as groups from '../lib/groups.mjs'

const { Kafka, logLevel } = kafkajs
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1' // the default partitioner is not used: every record names its partition
const version = createRequire(import.meta.url)('kafkajs/package.json').version
const mock = brokerKind() === 'mock'
const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-groups-kafkajs-${runId}`
const groupId = topic

const kafka = new Kafka({
  clientId: 'eddy-compat',
  brokers: [bootstrap()],
  logLevel: process.env.COMPAT_DEBUG ? logLevel.DEBUG : logLevel.WARN,
  connectionTimeout: 10000,
  requestTimeout: 30000,
  retry: { retries: 5 },
})

// Consumers of the group; each records what it consumed and its latest assignment (from GROUP_JOIN).
class Members {
  consumers = {}
  assigned = {}
  next = {} // name -> {partition: offset after the last record consumed}

  constructor(tally) {
    this.tally = tally
  }

  async add(name) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 30000 })
    this.consumers[name] = consumer
    this.assigned[name] = new Set()
    this.next[name] = {}
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned[name] = new Set(payload.memberAssignment[topic] ?? [])
    })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        this.tally.add(name, partition, Number(message.offset), message.key, this.assigned[name])
        this.next[name][partition] = Number(message.offset) + 1
      },
    })
  }

  assignments() {
    return Object.fromEntries(Object.entries(this.assigned).map(([n, p]) => [n, new Set(p)]))
  }

  async wait(what, condition) {
    await groups.waitUntil(what, condition)
  }

  async waitSplit(what, partitions) {
    await this.wait(what, () => groups.splitProblem(this.assignments(), partitions) === null)
    console.log(`${what}: ${groups.describe(this.assignments())}`)
  }

  // Commits the positions consumed so far, or the given {partition: offset}.
  async commit(name, offsets = this.next[name]) {
    await this.consumers[name].commitOffsets(
      Object.entries(offsets).map(([p, o]) => ({ topic, partition: Number(p), offset: String(o) })))
  }

  async close(name) {
    await this.consumers[name].disconnect()
    delete this.consumers[name]
    delete this.assigned[name]
  }
}

async function produce(phase, partitions) {
  const producer = kafka.producer({ maxInFlightRequests: 1, idempotent: false })
  await producer.connect()
  for (let p = 0; p < partitions; p++) {
    const messages = []
    for (let i = 0; i < groups.PER_PHASE; i++) {
      const k = groups.key(phase, p, i)
      messages.push({ key: k, value: `${k}:v`, partition: p })
    }
    await producer.send({ topic, acks: -1, messages })
  }
  await producer.disconnect()
  console.log(`produced phase ${phase}: ${groups.PER_PHASE} records in each of ${partitions} partitions`)
}

run(async () => {
  console.log(`kafkajs ${version}; topic and group ${topic}`)
  const check = new Checker()
  const admin = kafka.admin()
  await admin.connect()
  // The mock cluster has no CreateTopics: asking for the topic's metadata creates it (4 partitions).
  if (!mock) await admin.createTopics({ topics: [{ topic, numPartitions: groups.PARTITIONS, replicationFactor: 1 }], waitForLeaders: true })
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length
  console.log(`${topic} has ${partitions} partitions`)

  const describe = async () => (await admin.describeGroups([groupId])).groups[0]
  const listed = async () => (await admin.listGroups()).groups.find((g) => g.groupId === groupId)
  // The mock cluster has no ListGroups/DescribeGroups/DeleteGroups: only the committed offsets are read there.
  const adminHooks = mock ? {} : {
    async threeMembers() {
      const [l, d] = [await listed(), await describe()]
      console.log(`listGroups: ${JSON.stringify(l)}; describeGroups: state ${d.state}, ` +
        `protocol ${d.protocolType}/${d.protocol}, ${d.members.length} members`)
      check.equal('listed group', l, { groupId, protocolType: 'consumer' })
      check.equal('group state with three members', d.state, 'Stable')
      check.equal('distinct member ids in DescribeGroups', new Set(d.members.map((m) => m.memberId)).size, 3)
    },
    async oneMember() {
      const d = await describe()
      console.log(`with c4 alone: state ${d.state}, ${d.members.length} members`)
      check.equal('members with c4 alone', d.members.length, 1)
      const refused = await admin.deleteGroups([groupId]).then((r) => r, (e) => e.groups ?? [{ error: { type: e.message } }])
      console.log(`deleteGroups with c4 active: ${JSON.stringify(refused.map((g) => ({ errorCode: g.errorCode, error: g.error?.type })))}`)
      check.equal('DeleteGroups of an active group', refused.map((g) => g.error?.type), ['NON_EMPTY_GROUP'])
    },
    async allLeft() {
      const d = await describe()
      console.log(`after every member left: state ${d.state}, ${d.members.length} members`)
      check.equal('state after every member left', d.state, 'Empty')
      const deleted = await admin.deleteGroups([groupId])
      console.log(`deleteGroups: ${JSON.stringify(deleted)}`)
      check.equal('DeleteGroups of the empty group', deleted.map((g) => g.errorCode), [0])
      const l = await listed()
      console.log(`after delete: listed ${JSON.stringify(l)}`)
      check.equal('listed after delete', l, undefined)
    },
  }
  await groups.shareAndResume((tally) => new Members(tally), (phase) => produce(phase, partitions), partitions, check, {
    ...adminHooks,
    async committed() {
      const fetched = await admin.fetchOffsets({ groupId, topics: [topic] })
      return Object.fromEntries(fetched[0].partitions.map(({ partition, offset }) => [partition, Number(offset)]))
    },
  })
  if (!mock) await admin.deleteTopics({ topics: [topic] })
  await admin.disconnect()
  check.finish()
})
