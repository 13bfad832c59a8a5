// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS: three consumers of one group share a 6-partition topic, one leaves and its partitions move,
// committed offsets are where a new member resumes; list, describe and delete the group.
import { createRequire } from 'node:module'
import { bootstrap, brokerKind, Checker, run } from '../lib/expect.mjs'
import * as groups from '../lib/groups.mjs'
import { client, committedOffsets, Members, produce } from './common.mjs'

const version = createRequire(import.meta.url)('kafkajs/package.json').version
const mock = brokerKind() === 'mock'
const runId = process.env.COMPAT_RUN_ID || 'local'
const topic = `compat-groups-kafkajs-${runId}`
const groupId = topic
// Every member has the client id eddy-compat, as the admin client has.
const group = { bootstrap: bootstrap(), groupId, topic, sessionTimeout: 6000, clientId: 'eddy-compat' }

run(async () => {
  console.log(`kafkajs ${version}; topic and group ${topic}`)
  const check = new Checker()
  const admin = client(group.bootstrap, 'eddy-compat').admin()
  await admin.connect()
  // The mock cluster has no CreateTopics: asking for the topic's metadata creates it (4 partitions).
  if (!mock) await admin.createTopics({ topics: [{ topic, numPartitions: groups.PARTITIONS, replicationFactor: 1 }], waitForLeaders: true })
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length
  console.log(`${topic} has ${partitions} partitions`)

  const describe = async () => (await admin.describeGroups([groupId])).groups[0]
  const listed = async () => (await admin.listGroups()).groups.find((g) => g.groupId === groupId)
  // The mock cluster has no ListGroups/DescribeGroups/DeleteGroups: only the committed offsets are read there.
  const adminHooks = mock ? {} : {
    async threeMembers() {
      const [l, d] = [await listed(), await describe()]
      console.log(`listGroups: ${JSON.stringify(l)}; describeGroups: state ${d.state}, ` +
        `protocol ${d.protocolType}/${d.protocol}, ${d.members.length} members`)
      check.equal('listed group', l, { groupId, protocolType: 'consumer' })
      check.equal('group state with three members', d.state, 'Stable')
      check.equal('distinct member ids in DescribeGroups', new Set(d.members.map((m) => m.memberId)).size, 3)
    },
    async oneMember() {
      const d = await describe()
      console.log(`with c4 alone: state ${d.state}, ${d.members.length} members`)
      check.equal('members with c4 alone', d.members.length, 1)
      const refused = await admin.deleteGroups([groupId]).then((r) => r, (e) => e.groups ?? [{ error: { type: e.message } }])
      console.log(`deleteGroups with c4 active: ${JSON.stringify(refused.map((g) => ({ errorCode: g.errorCode, error: g.error?.type })))}`)
      check.equal('DeleteGroups of an active group', refused.map((g) => g.error?.type), ['NON_EMPTY_GROUP'])
    },
    async allLeft() {
      const d = await describe()
      console.log(`after every member left: state ${d.state}, ${d.members.length} members`)
      check.equal('state after every member left', d.state, 'Empty')
      const deleted = await admin.deleteGroups([groupId])
      console.log(`deleteGroups: ${JSON.stringify(deleted)}`)
      check.equal('DeleteGroups of the empty group', deleted.map((g) => g.errorCode), [0])
      const l = await listed()
      console.log(`after delete: listed ${JSON.stringify(l)}`)
      check.equal('listed after delete', l, undefined)
    },
  }
  await groups.shareAndResume((tally) => new Members(tally, group), (phase) => produce(group.bootstrap, topic, phase, partitions),
    partitions, check, { ...adminHooks, committed: () => committedOffsets(admin, groupId, topic) })
  if (!mock) await admin.deleteTopics({ topics: [topic] })
  await admin.disconnect()
  check.finish()
})
