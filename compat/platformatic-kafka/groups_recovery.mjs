// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka (classic group protocol): a consumer killed without leaving loses its partitions to
// the others at its session timeout and they start at its commit; committed offsets survive a SIGKILL of
// the broker and a new member resumes exactly there; a static member (groupInstanceId) killed and started
// again within its session timeout keeps its partitions and the others see no rebalance
// (lib/recovery.mjs). Starts its own Eddy (lib/own_broker.mjs); SKIP without an Eddy binary.
//
// The static member is restarted by SIGKILL, not close(): @platformatic/kafka 1.35 closes a static member
// with a LeaveGroup naming only its member id (no group_instance_id), which Kafka treats as a dynamic
// member leaving, so the group rebalances; a static member's restart is meant to send no LeaveGroup.
import { fileURLToPath } from 'node:url'
import * as groups from '../lib/groups.mjs'
import { producePhase } from '../lib/platformatic_members.mjs'
import * as recovery from '../lib/recovery.mjs'

if (process.env.COMPAT_DEBUG) process.env.DEBUG ??= 'plt:kafka:*'
const { Admin, Consumer } = await import('@platformatic/kafka')
const script = fileURLToPath(import.meta.url)
const options = (bootstrap, clientId) => ({ bootstrapBrokers: [bootstrap], clientId, timeout: 30000, retries: 5 })

// In-process members of one group (the interface is described in lib/recovery.mjs).
class Members {
  consumers = {}
  streams = {}
  next = {} // name -> {partition: offset after the last record consumed}
  fetches = {} // name -> Fetch responses its stream received
  joined = {}
  errors = []

  constructor(tally, group, hooks = {}) {
    Object.assign(this, { tally, group, hooks })
  }

  held(name) {
    const a = this.consumers[name]?.assignments ?? []
    return new Set(a.filter((x) => x.topic === this.group.topic).flatMap((x) => x.partitions))
  }

  async add(name, { instanceId } = {}) {
    const { bootstrap, groupId, topic, sessionTimeout } = this.group
    const consumer = new Consumer({ ...options(bootstrap, name), groupId, sessionTimeout, heartbeatInterval: 500,
      rebalanceTimeout: Math.max(30000, sessionTimeout), ...(instanceId ? { groupInstanceId: instanceId } : {}) })
    this.consumers[name] = consumer
    this.next[name] = {}
    this.fetches[name] = 0
    this.joined[name] = 0
    consumer.on('consumer:group:join', () => {
      this.joined[name]++
      this.hooks.joined?.(name, this.held(name))
    })
    const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest',
      autocommit: false, maxWaitTime: 200 })
    this.streams[name] = stream
    stream.on('data', (m) => {
      this.tally.add(name, m.partition, Number(m.offset), m.key, this.held(name))
      this.next[name][m.partition] = Number(m.offset) + 1
    })
    stream.on('error', (e) => this.errors.push(`${name}: ${e.message}`))
    stream.on('fetch', () => this.fetches[name]++)
  }

  assignments() {
    return Object.fromEntries(Object.keys(this.consumers).map((n) => [n, this.held(n)]))
  }

  joins(name) {
    return this.joined[name]
  }

  // The stream pushes whatever a Fetch returns, also for partitions the member lost while that Fetch was
  // parked on the broker; two more Fetch responses per member mean one was sent after the rebalance.
  async settle() {
    const seen = { ...this.fetches }
    await groups.waitUntil('fetches after the rebalance', () => {
      if (this.failure()) throw new Error(this.failure())
      return Object.keys(this.consumers).every((n) => this.fetches[n] >= seen[n] + 2)
    })
  }

  failure() {
    return this.errors.length ? this.errors.join('; ') : null
  }

  async commit(name, offsets = this.next[name]) {
    await this.consumers[name].commit({ offsets: Object.entries(offsets).map(([p, o]) =>
      ({ topic: this.group.topic, partition: Number(p), offset: BigInt(o), leaderEpoch: 0 })) })
  }

  async close(name) {
    await this.streams[name].close()
    await this.consumers[name].close()
    delete this.consumers[name]
    delete this.streams[name]
  }
}

const newMembers = (tally, group, hooks) => new Members(tally, group, hooks)

// The shared producer of lib/platformatic_members.mjs (its clientId wins over options').
const produce = (bootstrap, topic, phase, partitions) =>
  producePhase(options(bootstrap, 'eddy-compat'), topic, phase, partitions)

async function committedOffsets(bootstrap, groupId, topic) {
  const admin = new Admin(options(bootstrap, 'eddy-compat-admin'))
  const offsets = await admin.listConsumerGroupOffsets({ groups: [groupId] })
  await admin.close()
  return Object.fromEntries((offsets[0]?.topics.find((t) => t.name === topic)?.partitions ?? [])
    .map((p) => [p.partitionIndex, Number(p.committedOffset)]))
}

recovery.main(newMembers, async (eddy, check) => {
  const { bootstrap } = eddy
  const topic = `compat-recovery-platformatic-${process.env.COMPAT_RUN_ID || 'local'}`
  const staticTopic = `${topic}-static`
  console.log(`own broker ${bootstrap}; topics and groups ${topic}, ${staticTopic}`)
  const admin = new Admin(options(bootstrap, 'eddy-compat-admin'))
  await admin.createTopics({ topics: [topic, staticTopic], partitions: groups.PARTITIONS, replicas: 1 })
  await admin.close()
  const partitions = groups.PARTITIONS
  const common = { newMembers, script, partitions, check }

  await recovery.staticMemberKeepsPartitions({
    ...common,
    group: { bootstrap, groupId: staticTopic, topic: staticTopic, sessionTimeout: recovery.STATIC_SESSION_TIMEOUT_MS },
    produce: (phase) => produce(bootstrap, staticTopic, phase, partitions),
  })
  const dynamic = {
    ...common,
    group: { bootstrap, groupId: topic, topic, sessionTimeout: recovery.CRASH_SESSION_TIMEOUT_MS },
    produce: (phase) => produce(bootstrap, topic, phase, partitions),
  }
  const g = await recovery.crashedMemberMoves(dynamic)
  await recovery.offsetsSurviveBrokerCrash({ ...dynamic, g, eddy, committed: () => committedOffsets(bootstrap, topic, topic) })
})
