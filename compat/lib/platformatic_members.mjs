// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka consumers of one group, as lib/groups.mjs's shareAndResume() drives them.
import * as groups from './groups.mjs'

// The members of one group, each reading its own stream of `topic`; consumer.assignments is the client's
// current view. `options` are the Consumer options besides clientId (groupId, groupProtocol, timeouts).
export class Members {
  consumers = {}
  streams = {}
  next = {} // name -> {partition: offset after the last record consumed}
  fetches = {} // name -> Fetch responses its stream received
  errors = []

  constructor(tally, topic, options) {
    this.tally = tally
    this.topic = topic
    this.options = options
  }

  held(name) {
    const a = this.consumers[name]?.assignments ?? []
    return new Set(a.filter((x) => x.topic === this.topic).flatMap((x) => x.partitions))
  }

  async add(name) {
    // Imported here, not at the top: the scenario sets DEBUG before the client is first loaded.
    const { Consumer } = await import('@platformatic/kafka')
    const consumer = new Consumer({ ...this.options, clientId: name })
    this.consumers[name] = consumer
    this.next[name] = {}
    this.fetches[name] = 0
    const stream = await consumer.consume({ topics: [this.topic], mode: 'committed', fallbackMode: 'earliest',
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

  async wait(what, condition) {
    await groups.waitUntil(what, () => {
      if (this.errors.length) throw new Error(this.errors.join('; '))
      return condition()
    })
  }

  async waitSplit(what, partitions) {
    await this.wait(what, () => groups.splitProblem(this.assignments(), partitions) === null)
    console.log(`${what}: ${groups.describe(this.assignments())}`)
    // A Fetch parked on the broker may still return records of a partition given away meanwhile: two more
    // Fetch responses per member mean one was sent after the assignment changed.
    const seen = { ...this.fetches }
    await this.wait(`${what}: fetches after the assignment`,
      () => Object.keys(this.consumers).every((n) => this.fetches[n] >= seen[n] + 2))
  }

  // Commits the positions consumed so far, or the given {partition: offset}.
  async commit(name, offsets = this.next[name]) {
    await this.consumers[name].commit({ offsets: Object.entries(offsets).map(([p, o]) =>
      ({ topic: this.topic, partition: Number(p), offset: BigInt(o), leaderEpoch: 0 })) })
  }

  async close(name) {
    await this.streams[name].close()
    await this.consumers[name].close()
    delete this.consumers[name]
    delete this.streams[name]
  }
}

// Produces phase `phase` of the lib/groups.mjs data set to every partition of `topic` (acks=all).
export async function producePhase(options, topic, phase, partitions) {
  const { Producer } = await import('@platformatic/kafka')
  const producer = new Producer({ ...options, clientId: 'eddy-compat', acks: -1 })
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
