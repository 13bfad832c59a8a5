// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Shared by the KafkaJS transaction scenarios (kafkajs/transactions.mjs, kafkajs/txn_fencing.mjs): the
// client, transactional producers, and reading a topic back at either isolation level.
import { client } from '../kafkajs/common.mjs'
import { bootstrap, fail } from './expect.mjs'
import * as T from './txn.mjs'

export const kafka = client(bootstrap(), 'eddy-compat')

// A connected transactional producer. An idempotent KafkaJS producer asks the controller for its producer
// id at connect; the mock names controller 0, which is no broker, so there the producer is transactional
// only (transaction() works without idempotent: true).
export async function transactionalProducer(transactionalId) {
  const producer = kafka.producer({ transactionalId, idempotent: T.markers, maxInFlightRequests: 1, allowAutoTopicCreation: true })
  await producer.connect()
  return producer
}

// Partition ids of topic, ascending, as admin (connected) sees them.
export async function partitionsOf(admin, topic) {
  return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.map((p) => p.partitionId).sort((a, b) => a - b)
}

let readers = 0

// {partition: [[offset, key]]} of topic from its start, at one isolation level, read by a consumer of a
// fresh group (KafkaJS reads only in a group); done(view) ends the read (after T.settle's quiet period).
export async function read(topic, partitions, readUncommitted, done) {
  const view = Object.fromEntries(partitions.map((p) => [p, []]))
  const consumer = kafka.consumer({ groupId: `compat-txn-reader-kafkajs-${T.runId}-${readers++}`, readUncommitted, sessionTimeout: 30000 })
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(`reader crashed: ${payload.error?.name}: ${payload.error?.message}`))
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) view[batch.partition].push([Number(m.offset), m.key?.toString() ?? null])
    },
  })
  await T.settle(() => done(view))
  await consumer.disconnect()
  return view
}
