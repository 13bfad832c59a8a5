// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka's ListTransactions (v1) and DescribeTransactions (v0), sent on the client's own
// Connection (its Admin has no methods for them): one transactional producer keeps a transaction open over
// two partitions, another commits one. Listing shows both with their producer ids and states, and the
// state, producer id and duration filters select as Kafka's do; an unknown state filter is echoed back.
// Describing shows the open one's partitions, timeout and start time, the committed one with no
// partitions, and TRANSACTIONAL_ID_NOT_FOUND for an id never used; after its commit the open one is
// CompleteCommit. SKIP on the mock cluster, which has no ApiVersions v3 (the only one this client speaks).
import { Checker, run } from '../lib/expect.mjs'
import { waitUntil } from '../lib/groups.mjs'
import { callKeepingErrors, common, connectAdmin, kafka, openConnection, partitionRecords } from '../lib/txn_platformatic.mjs'

const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-transaction-admin-platformatic-${runId}`
const openId = `${topic}-open`
const committedId = `${topic}-committed`
const unusedId = `${topic}-unused`
const TRANSACTIONAL_ID_NOT_FOUND = 105
const check = new Checker()

const show = (value) => JSON.stringify(value, (_, v) => typeof v === 'bigint' ? `${v}n` : v)

const records = (partition, count) => partitionRecords(topic, partition, count)

// ListTransactions v1, only this run's transactional ids: {id: {producerId, state}} sorted by id, plus the
// echoed filters.
async function list(connection, states, producerIds, durationMs) {
  const r = await kafka.listTransactionsV1.api.async(connection, states, producerIds, BigInt(durationMs))
  const mine = Object.fromEntries(r.transactionStates.filter((t) => t.transactionalId.startsWith(topic))
    .sort((a, b) => a.transactionalId.localeCompare(b.transactionalId))
    .map((t) => [t.transactionalId, { producerId: String(t.producerId), state: t.transactionState }]))
  console.log(`ListTransactions states=${show(states)} producerIds=${show(producerIds)} duration=${durationMs}: ` +
    `${show(mine)}, unknown state filters ${show(r.unknownStateFilters)}`)
  return { mine, unknown: r.unknownStateFilters }
}

// DescribeTransactions v0: {id: state}; an errored id included (the client throws and keeps the response).
async function describe(connection, ids) {
  const response = await callKeepingErrors(kafka.describeTransactionsV0, connection, 'transactionStates', ids)
  const states = Object.fromEntries(response.transactionStates.map((s) => [s.transactionalId, s]))
  console.log(`DescribeTransactions ${show(ids)}: ${show(states)}`)
  return states
}

// The commit's reply comes once PrepareCommit is written (as Kafka's); the markers and CompleteCommit follow.
function awaitCompleteCommit(connection, id) {
  return waitUntil(`${id} past PrepareCommit`,
    async () => (await describe(connection, [id]))[id]?.transactionState !== 'PrepareCommit', 10000)
}

function summary(s) {
  return s && {
    errorCode: s.errorCode,
    state: s.transactionState,
    producerId: String(s.producerId),
    producerEpoch: s.producerEpoch,
    topics: s.topics.map((t) => ({ topic: t.topic, partitions: [...t.partitions].sort() })),
  }
}

run(async () => {
  const admin = await connectAdmin()
  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 })
  console.log(`topic ${topic}, 2 partitions`)
  const started = Date.now()

  const committer = new kafka.Producer({ ...common, clientId: 'eddy-compat-committed', idempotent: true, transactionalId: committedId, acks: -1 })
  const done = await committer.beginTransaction()
  await done.send({ messages: records(0, 3) })
  await done.commit()
  const holder = new kafka.Producer({ ...common, clientId: 'eddy-compat-open', idempotent: true, transactionalId: openId, acks: -1 })
  const open = await holder.beginTransaction()
  await open.send({ messages: [...records(0, 2), ...records(1, 2)] })
  const openPid = String(holder.producerId)
  const committedPid = String(committer.producerId)
  console.log(`open transaction: producer ${openPid}; committed transaction: producer ${committedPid}`)

  const connection = await openConnection('eddy-compat-transaction-admin')
  await awaitCompleteCommit(connection, committedId)

  const all = await list(connection, [], [], -1)
  check.equal('listed, no filter', all.mine, {
    [committedId]: { producerId: committedPid, state: 'CompleteCommit' },
    [openId]: { producerId: openPid, state: 'Ongoing' },
  })
  check.equal('listed, state Ongoing', (await list(connection, ['Ongoing'], [], -1)).mine, { [openId]: { producerId: openPid, state: 'Ongoing' } })
  check.equal('listed, committed producer id', (await list(connection, [], [BigInt(committedPid)], -1)).mine,
    { [committedId]: { producerId: committedPid, state: 'CompleteCommit' } })
  check.equal('listed, running longer than an hour', (await list(connection, [], [], 3600000)).mine, {})
  const unknown = await list(connection, ['NoSuchState'], [], -1)
  check.equal('unknown state filter echoed', unknown.unknown, ['NoSuchState'])
  check.equal('listed, unknown state filter', unknown.mine, {})

  const described = await describe(connection, [openId, committedId, unusedId])
  check.equal('described open', summary(described[openId]), {
    errorCode: 0, state: 'Ongoing', producerId: openPid, producerEpoch: holder.producerEpoch, topics: [{ topic, partitions: [0, 1] }],
  })
  check.equal('open transaction timeout', described[openId]?.transactionTimeoutMs, common.timeout)
  const start = Number(described[openId]?.transactionStartTimeMs ?? -1)
  if (!(start >= started - 60000 && start <= Date.now() + 60000)) check.problems.push(`open transaction start time ${start} is not from this run (started ${started})`)
  check.equal('described committed', summary(described[committedId]), {
    errorCode: 0, state: 'CompleteCommit', producerId: committedPid, producerEpoch: committer.producerEpoch, topics: [],
  })
  check.equal('described unused id', described[unusedId]?.errorCode, TRANSACTIONAL_ID_NOT_FOUND)

  await open.commit()
  await awaitCompleteCommit(connection, openId)
  check.equal('described open after its commit', summary((await describe(connection, [openId]))[openId]), {
    errorCode: 0, state: 'CompleteCommit', producerId: openPid, producerEpoch: holder.producerEpoch, topics: [],
  })

  await connection.close()
  await holder.close()
  await committer.close()
  await admin.deleteTopics({ topics: [topic] })
  await admin.close()
  check.finish()
})
