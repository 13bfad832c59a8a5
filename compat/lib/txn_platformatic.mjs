// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Shared by the @platformatic/kafka transaction scenarios (platformatic-kafka/transactions.mjs,
// platformatic-kafka/txn_consume_transform.mjs, transaction_admin.mjs) and the other scenarios that need
// them (describe_producers.mjs, describe_log_dirs.mjs, group_offsets_admin.mjs): client options, the mock
// check, a bare connection and calls on it, small keyed batches, and a consumer stream that follows a topic at one
// isolation level.
import { bootstrap, brokerKind, fail, skip } from './expect.mjs'
import * as T from './txn.mjs'

if (process.env.COMPAT_DEBUG) process.env.DEBUG ??= 'plt:kafka:*'
export const kafka = await import('@platformatic/kafka')
export const common = { clientId: 'eddy-compat', bootstrapBrokers: [bootstrap()], timeout: 30000, retries: 5 }

// A connected Admin; SKIP on the mock cluster, which has no ApiVersions v3 (the only one this client speaks).
export async function connectAdmin() {
  const admin = new kafka.Admin(common)
  try {
    await admin.listApis()
  } catch (e) {
    if (brokerKind() === 'mock' && e.response?.errorCode === 35) skip('the mock cluster has no ApiVersions v3')
    throw e
  }
  return admin
}

// A bare connection to the bootstrap broker, for the APIs the client has no Admin method for (sent with
// `kafka.<api>V<n>.api.async(connection, ...)`).
export async function openConnection(clientId) {
  const address = bootstrap()
  const colon = address.lastIndexOf(':')
  const connection = new kafka.Connection(clientId)
  await connection.connect(address.slice(0, colon), Number(address.slice(colon + 1)))
  return connection
}

// The response of `api` (kafka.<api>V<n>) sent on `connection` with `args`, also when an error code in it made
// the client throw (it keeps the whole response on the error); `field` is one every whole response has.
export async function callKeepingErrors(api, connection, field, ...args) {
  try {
    return await api.api.async(connection, ...args)
  } catch (e) {
    if (e.response?.[field] === undefined) throw e
    return e.response
  }
}

// `count` records for one partition of `topic`, keyed p<partition>-<i>; a producer sends them as one batch.
export function partitionRecords(topic, partition, count) {
  return Array.from({ length: count }, (_, i) => ({ topic, partition, key: Buffer.from(`p${partition}-${i}`), value: Buffer.from(`v${i}`) }))
}

// A consumer stream over `topic` from its start at one isolation level (1 read_committed, 0 read_uncommitted)
// in a fresh group; `view` is {partition: [[offset, key]]}.
export class Reader {
  static async open(name, topic, partitions, isolationLevel) {
    const reader = new Reader()
    reader.view = Object.fromEntries(Array.from({ length: partitions }, (_, p) => [p, []]))
    reader.consumer = new kafka.Consumer({ ...common, groupId: `compat-txn-${name}-platformatic-${T.runId}`, isolationLevel })
    reader.stream = await reader.consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 200, isolationLevel })
    reader.stream.on('data', (m) => reader.view[m.partition].push([Number(m.offset), m.key?.toString() ?? null]))
    reader.stream.on('error', (e) => fail(`${name} consumer: ${e.message}`))
    return reader
  }

  async close() {
    await this.stream.close()
    await this.consumer.close()
  }
}
