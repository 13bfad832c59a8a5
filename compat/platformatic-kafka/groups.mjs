// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka: three consumers of one group (classic protocol) share a 6-partition topic, one
// leaves and its partitions move, committed offsets are where a new member resumes; list, describe and
// delete the group.
import { bootstrap, brokerKind, Checker, run, skip } from '../lib/expect.mjs'
import * as groups from '../lib/groups.mjs'
import { Members, producePhase } from '../lib/platformatic_members.mjs'

if (process.env.COMPAT_DEBUG) process.env.DEBUG ??= 'plt:kafka:*'
const { Admin } = await import('@platformatic/kafka')

const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-groups-platformatic-${runId}`
const groupId = topic
const common = { bootstrapBrokers: [bootstrap()], timeout: 30000, retries: 5 }
const memberOptions = { ...common, groupId, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 30000 }

run(async () => {
  if (brokerKind() === 'mock') skip('the mock cluster has no ApiVersions v3')
  console.log(`topic and group ${topic}`)
  const check = new Checker()
  const admin = new Admin({ ...common, clientId: 'eddy-compat-admin' })
  await admin.createTopics({ topics: [topic], partitions: groups.PARTITIONS, replicas: 1 })
  const partitions = groups.PARTITIONS
  const describe = async () => (await admin.describeGroups({ groups: [groupId] })).get(groupId)
  const clientIds = (d) => [...d.members.values()].map((m) => m.clientId).sort()

  await groups.shareAndResume((tally) => new Members(tally, topic, memberOptions),
    (phase) => producePhase(common, topic, phase, partitions), partitions, check, {
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
