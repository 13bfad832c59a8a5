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
import * as groups from '../lib/groups.mjs'
import * as recovery from '../lib/recovery.mjs'
import { client, committedOffsets, Members, produce } from './common.mjs'

const version = createRequire(import.meta.url)('kafkajs/package.json').version
const script = fileURLToPath(import.meta.url)

const newMembers = (tally, group, hooks) => new Members(tally, group, hooks)

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
      const offsets = await committedOffsets(after, topic, topic)
      await after.disconnect()
      return offsets
    },
  })
  console.log('static membership: not tested, KafkaJS has no group.instance.id')
})
