// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS: a consumer killed without leaving loses its partitions to the others at its session timeout and
// they start at its commit; committed offsets survive a SIGKILL of the broker and a new member resumes
// exactly there (lib/recovery.mjs). Starts its own Eddy (lib/own_broker.mjs); SKIP without an Eddy binary.
//
// No static membership here: KafkaJS 2.2.4 has no group.instance.id. Its JoinGroup v5, SyncGroup v3,
// Heartbeat v3 and LeaveGroup v3 encoders take a groupInstanceId, but neither the consumer's options nor
// ConsumerGroup nor Broker.joinGroup ever pass one, so every member is dynamic.
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import kafkajs from 'kafkajs'
import * as groups from '../lib/groups.mjs'
import * as recovery from '../lib/recovery.mjs'

const { Kafka, logLevel } = kafkajs
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1' // the default partitioner is not used: every record names its partition
const version = createRequire(import.meta.url)('kafkajs/package.json').version
const script = fileURLToPath(import.meta.url)

const client = (bootstrap, clientId) => new Kafka({
  clientId,
  brokers: [bootstrap],
  logLevel: process.env.COMPAT_DEBUG ? logLevel.DEBUG : logLevel.WARN,
  connectionTimeout: 10000,
  requestTimeout: 30000,
  retry: { retries: 5 },
})

// In-process members of one group (the interface is described in lib/recovery.mjs).
class Members {
  consumers = {}
  assigned = {}
  next = {} // name -> {partition: offset after the last record consumed}
  joined = {}
  errors = []

  constructor(tally, group, hooks = {}) {
    Object.assign(this, { tally, group, hooks })
  }

  async add(name) {
    const { bootstrap, groupId, topic, sessionTimeout } = this.group
    const consumer = client(bootstrap, name).consumer({ groupId, sessionTimeout, heartbeatInterval: 500, rebalanceTimeout: 30000 })
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

  // Nothing to wait for: KafkaJS stops its fetchers to rejoin, so no Fetch from before a rebalance is delivered
  // after it (the groups scenario relies on the same; Tally flags a record outside the assignment).
  async settle() {}

  // A consumer that KafkaJS gave up restarting.
  failure() {
    return this.errors.length ? this.errors.join('; ') : null
  }

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

const newMembers = (tally, group, hooks) => new Members(tally, group, hooks)

async function produce(bootstrap, topic, phase, partitions) {
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

recovery.main(newMembers, async (eddy, check) => {
  const { bootstrap } = eddy
  const topic = `compat-recovery-kafkajs-${process.env.COMPAT_RUN_ID || 'local'}`
  console.log(`kafkajs ${version}; own broker ${bootstrap}; topic and group ${topic}`)
  const admin = client(bootstrap, 'eddy-compat-admin').admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: groups.PARTITIONS, replicationFactor: 1 }], waitForLeaders: true })
  await admin.disconnect()
  const partitions = groups.PARTITIONS
  const scenario = {
    newMembers, script, partitions, check,
    group: { bootstrap, groupId: topic, topic, sessionTimeout: recovery.CRASH_SESSION_TIMEOUT_MS },
    produce: (phase) => produce(bootstrap, topic, phase, partitions),
  }
  const g = await recovery.crashedMemberMoves(scenario)
  await recovery.offsetsSurviveBrokerCrash({
    ...scenario,
    g,
    eddy,
    async committed() { // a new admin client: the old one's connection died with the broker
      const after = client(bootstrap, 'eddy-compat-admin').admin()
      await after.connect()
      const fetched = await after.fetchOffsets({ groupId: topic, topics: [topic] })
      await after.disconnect()
      return Object.fromEntries(fetched[0].partitions.map(({ partition, offset }) => [partition, Number(offset)]))
    },
  })
  console.log('static membership: not tested, KafkaJS has no group.instance.id')
})
