// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka: three consumers of one group (classic protocol) share a 6-partition topic, one
// leaves and its partitions move, committed offsets are where a new member resumes; list, describe and
// delete the group.
import { bootstrap, brokerKind, Checker, run, skip } from '../lib/expect.mjs'
import * as groups from '../lib/groups.mjs'

if (process.env.COMPAT_DEBUG) process.env.DEBUG ??= 'plt:kafka:*'
const { Admin, Consumer, Producer } = await import('@platformatic/kafka')

const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-groups-platformatic-${runId}`
const groupId = topic
const common = { bootstrapBrokers: [bootstrap()], timeout: 30000, retries: 5 }

// Consumers of the group, each reading its own stream; consumer.assignments is the client's current view.
class Members {
  consumers = {}
  streams = {}
  next = {} // name -> {partition: offset after the last record consumed}
  fetches = {} // name -> Fetch responses its stream received
  errors = []

  constructor(tally) {
    this.tally = tally
  }

  held(name) {
    const a = this.consumers[name]?.assignments ?? []
    return new Set(a.filter((x) => x.topic === topic).flatMap((x) => x.partitions))
  }

  async add(name) {
    const consumer = new Consumer({ ...common, clientId: name, groupId, sessionTimeout: 6000, heartbeatInterval: 500,
      rebalanceTimeout: 30000 })
    this.consumers[name] = consumer
    this.next[name] = {}
    const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest',
      autocommit: false, maxWaitTime: 200 })
    this.streams[name] = stream
    stream.on('data', (m) => {
      this.tally.add(name, m.partition, Number(m.offset), m.key, this.held(name))
      this.next[name][m.partition] = Number(m.offset) + 1
    })
    stream.on('error', (e) => this.errors.push(`${name}: ${e.message}`))
    this.fetches[name] = 0
    stream.on('fetch', () => this.fetches[name]++)
  }

  assignments() {
    return Object.fromEntries(Object.keys(this.consumers).map((n) => [n, this.held(n)]))
  }

  async wait(what, condition) {
    await groups.waitUntil(what, () => {
      if (this.errors.length) throw new Error(this.errors.join('; '))
      return condition()
    })
  }

  async waitSplit(what, partitions) {
    await this.wait(what, () => groups.splitProblem(this.assignments(), partitions) === null)
    console.log(`${what}: ${groups.describe(this.assignments())}`)
    // The stream pushes whatever a Fetch returns, also for partitions the member lost while that Fetch
    // was parked on the broker; two more Fetch responses per member mean one was sent after the rebalance.
    const seen = { ...this.fetches }
    await this.wait(`${what}: fetches after the rebalance`,
      () => Object.keys(this.consumers).every((n) => this.fetches[n] >= seen[n] + 2))
  }

  // Commits the positions consumed so far, or the given {partition: offset}.
  async commit(name, offsets = this.next[name]) {
    await this.consumers[name].commit({ offsets: Object.entries(offsets).map(([p, o]) =>
      ({ topic, partition: Number(p), offset: BigInt(o), leaderEpoch: 0 })) })
  }

  async close(name) {
    await this.streams[name].close()
    await this.consumers[name].close()
    delete this.consumers[name]
    delete this.streams[name]
  }
}

async function produce(phase, partitions) {
  const producer = new Producer({ ...common, clientId: 'eddy-compat', acks: -1 })
  const messages = []
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < groups.PER_PHASE; i++) {
      const k = groups.key(phase, p, i)
      messages.push({ topic, key: Buffer.from(k), value: Buffer.from(`${k}:v`), partition: p })
    }
  }
  await producer.send({ messages, acks: -1 })
  await producer.close()
  console.log(`produced phase ${phase}: ${groups.PER_PHASE} records in each of ${partitions} partitions`)
}

run(async () => {
  if (brokerKind() === 'mock') skip('the mock cluster has no ApiVersions v3')
  console.log(`topic and group ${topic}`)
  const check = new Checker()
  const admin = new Admin({ ...common, clientId: 'eddy-compat-admin' })
  await admin.createTopics({ topics: [topic], partitions: groups.PARTITIONS, replicas: 1 })
  const partitions = groups.PARTITIONS
  const describe = async () => (await admin.describeGroups({ groups: [groupId] })).get(groupId)
  const clientIds = (d) => [...d.members.values()].map((m) => m.clientId).sort()

  await groups.shareAndResume((tally) => new Members(tally), (phase) => produce(phase, partitions), partitions, check, {
    async threeMembers() {
      const listed = (await admin.listGroups()).get(groupId)
      const d = await describe()
      console.log(`listGroups: ${JSON.stringify(listed)}; describeGroups: state ${d.state}, ` +
        `protocol ${d.protocolType}/${d.protocol}, members ${clientIds(d)}`)
      check.equal('listed group', listed && { state: listed.state, protocolType: listed.protocolType },
        { state: 'STABLE', protocolType: 'consumer' })
      check.equal('group state with three members', d.state, 'STABLE')
      check.equal('member client ids', clientIds(d), ['c1', 'c2', 'c3'])
    },
    async committed() {
      const offsets = await admin.listConsumerGroupOffsets({ groups: [groupId] })
      return Object.fromEntries((offsets[0]?.topics.find((t) => t.name === topic)?.partitions ?? [])
        .map((p) => [p.partitionIndex, Number(p.committedOffset)]))
    },
    async oneMember() {
      const d = await describe()
      console.log(`with c4 alone: state ${d.state}, members ${clientIds(d)}`)
      check.equal('members with c4 alone', clientIds(d), ['c4'])
      const refused = await admin.deleteGroups({ groups: [groupId] }).then(() => 'deleted', (e) => e)
      const text = `${refused?.message ?? refused} ${JSON.stringify(refused?.errors?.map((e) => e.response ?? e.message) ?? '')}`
      console.log(`deleteGroups with c4 active: ${text}`)
      check.equal('DeleteGroups of an active group refused with NON_EMPTY_GROUP (68)',
        /\b68\b|NON_EMPTY_GROUP|not empty/i.test(text), true)
    },
    async allLeft() {
      const d = await describe()
      console.log(`after every member left: state ${d.state}, ${d.members.size} members`)
      check.equal('state after every member left', d.state, 'EMPTY')
      await admin.deleteGroups({ groups: [groupId] })
      const after = (await admin.listGroups()).get(groupId)
      console.log(`after deleteGroups: listed ${JSON.stringify(after)}`)
      check.equal('listed after delete', after, undefined)
    },
  })
  await admin.deleteTopics({ topics: [topic] })
  await admin.close()
  check.finish()
})
