// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka with groupProtocol 'consumer' (KIP-848: ConsumerGroupHeartbeat, assignments made by
// the broker): three consumers share a 6-partition topic, one leaves and its partitions move, committed
// offsets are where a new member resumes; the group is listed as a consumer group and deleted at the end.
import { bootstrap, brokerKind, Checker, run, skip } from '../lib/expect.mjs'
import * as groups from '../lib/groups.mjs'
import { Members, producePhase } from '../lib/platformatic_members.mjs'

if (process.env.COMPAT_DEBUG) process.env.DEBUG ??= 'plt:kafka:*'
const { Admin } = await import('@platformatic/kafka')

const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-consumer-protocol-platformatic-${runId}`
const groupId = topic
const common = { bootstrapBrokers: [bootstrap()], timeout: 30000, retries: 5 }
// The session timeout and heartbeat interval come from the broker (group.consumer.*).
const consumerOptions = { ...common, groupId, groupProtocol: 'consumer' }

run(async () => {
  if (brokerKind() === 'mock') skip('the mock cluster has no ConsumerGroupHeartbeat')
  console.log(`topic and group ${topic}`)
  const check = new Checker()
  const admin = new Admin({ ...common, clientId: 'eddy-compat-admin' })
  await admin.createTopics({ topics: [topic], partitions: groups.PARTITIONS, replicas: 1 })
  const partitions = groups.PARTITIONS
  // The client lists only classic groups unless told otherwise.
  const listed = async () => {
    const g = (await admin.listGroups({ types: ['consumer'] })).get(groupId)
    return g && { state: g.state, groupType: g.groupType, protocolType: g.protocolType }
  }

  const members = (tally) => new Members(tally, topic, consumerOptions)
  const produce = (phase) => producePhase(common, topic, phase, partitions)
  await groups.shareAndResume(members, produce, partitions, check, {
    async threeMembers() {
      const g = await listed()
      console.log(`listGroups: ${JSON.stringify(g)}`)
      check.equal('listed group', g, { state: 'STABLE', groupType: 'consumer', protocolType: 'consumer' })
    },
    async committed() {
      const offsets = await admin.listConsumerGroupOffsets({ groups: [groupId] })
      return Object.fromEntries((offsets[0]?.topics.find((t) => t.name === topic)?.partitions ?? [])
        .map((p) => [p.partitionIndex, Number(p.committedOffset)]))
    },
    async allLeft() {
      const g = await listed()
      console.log(`after every member left: ${JSON.stringify(g)}`)
      check.equal('state after every member left', g?.state, 'EMPTY')
      await admin.deleteGroups({ groups: [groupId] })
      const after = (await admin.listGroups({ types: ['classic', 'consumer'] })).get(groupId)
      console.log(`after deleteGroups: listed ${JSON.stringify(after)}`)
      check.equal('listed after delete', after, undefined)
    },
  })
  await admin.deleteTopics({ topics: [topic] })
  await admin.close()
  check.finish()
})
