// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Shared by the KafkaJS consumer-group scenarios (groups, groups_recovery): the client, in-process members
// of one group, and producing a phase of the data set of lib/groups.mjs. Not a scenario (compat/run skips
// files named common).
import kafkajs from 'kafkajs'
import * as groups from '../lib/groups.mjs'

const { Kafka, logLevel } = kafkajs
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1' // the default partitioner is not used: every record names its partition

export const client = (bootstrap, clientId) => new Kafka({
  clientId,
  brokers: [bootstrap],
  logLevel: process.env.COMPAT_DEBUG ? logLevel.DEBUG : logLevel.WARN,
  connectionTimeout: 10000,
  requestTimeout: 30000,
  retry: { retries: 5 },
})

// In-process members of one group (the interface is described in lib/recovery.mjs; lib/groups.mjs's
// shareAndResume uses wait and waitSplit too). `group` is {bootstrap, groupId, topic, sessionTimeout} and
// optionally clientId, the client id of every member (default: the member's name). Each member records
// what it consumed in the tally and its latest assignment (from GROUP_JOIN).
export class Members {
  consumers = {}
  assigned = {}
  next = {} // name -> {partition: offset after the last record consumed}
  joined = {}
  errors = []

  constructor(tally, group, hooks = {}) {
    Object.assign(this, { tally, group, hooks })
  }

  async add(name) {
    const { bootstrap, groupId, topic, sessionTimeout, clientId = name } = this.group
    const consumer = client(bootstrap, clientId).consumer({ groupId, sessionTimeout, heartbeatInterval: 500, rebalanceTimeout: 30000 })
    this.consumers[name] = consumer
    this.assigned[name] = new Set()
    this.next[name] = {}
    this.joined[name] = 0
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned[name] = new Set(payload.memberAssignment[topic] ?? [])
      this.joined[name]++
      this.hooks.joined?.(name, this.assigned[name])
    })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.errors.push(`${name}: ${payload.error?.message ?? payload.error}`)
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

  joins(name) {
    return this.joined[name]
  }

  async wait(what, condition) {
    await groups.waitUntil(what, condition)
  }

  async waitSplit(what, partitions) {
    await this.wait(what, () => groups.splitProblem(this.assignments(), partitions) === null)
    console.log(`${what}: ${groups.describe(this.assignments())}`)
  }

  // Nothing to wait for: KafkaJS stops its fetchers to rejoin, so no Fetch from before a rebalance is delivered
  // after it (the groups scenario relies on the same; Tally flags a record outside the assignment).
  async settle() {}

  // A consumer that KafkaJS gave up restarting.
  failure() {
    return this.errors.length ? this.errors.join('; ') : null
  }

  // Commits the positions consumed so far, or the given {partition: offset}.
  async commit(name, offsets = this.next[name]) {
    await this.consumers[name].commitOffsets(
      Object.entries(offsets).map(([p, o]) => ({ topic: this.group.topic, partition: Number(p), offset: String(o) })))
  }

  async close(name) {
    await this.consumers[name].disconnect()
    delete this.consumers[name]
    delete this.assigned[name]
  }
}

// Phase `phase` of the data set: PER_PHASE records in each partition of topic, acknowledged by all replicas.
export async function produce(bootstrap, topic, phase, partitions) {
  const producer = client(bootstrap, 'eddy-compat').producer({ maxInFlightRequests: 1, idempotent: false })
  await producer.connect()
  const messages = []
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < groups.PER_PHASE; i++) {
      const k = groups.key(phase, p, i)
      messages.push({ key: k, value: `${k}:v`, partition: p })
    }
  }
  await producer.send({ topic, acks: -1, messages })
  await producer.disconnect()
  console.log(`produced phase ${phase}: ${groups.PER_PHASE} records in each of ${partitions} partitions`)
}

// The group's committed offsets of topic, {partition: offset}, as admin (connected) fetches them.
export async function committedOffsets(admin, groupId, topic) {
  const fetched = await admin.fetchOffsets({ groupId, topics: [topic] })
  return Object.fromEntries(fetched[0].partitions.map(({ partition, offset }) => [partition, Number(offset)]))
}
