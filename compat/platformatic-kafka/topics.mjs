// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka Admin: create a topic with 3 partitions, see it in metadata with its
// topic id, describe and alter a config (both alter apis), add partitions, delete it and see
// it gone.
import { bootstrap, brokerKind, Checker, run, skip } from '../lib/expect.mjs'

if (process.env.COMPAT_DEBUG) process.env.DEBUG ??= 'plt:kafka:*'
const { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } = await import('@platformatic/kafka')

run(async () => {
  if (brokerKind() === 'mock') skip('the mock cluster has no ApiVersions v3')
  const admin = new Admin({ clientId: 'eddy-compat', bootstrapBrokers: [bootstrap()], timeout: 30000, retries: 5 })
  const topic = `compat-topics-${process.env.COMPAT_RUN_ID || 'local'}`
  const check = new Checker()
  const configValue = async (name) => {
    const d = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: [name] }],
    })
    const entry = d[0].configs.find((c) => c.name === name)
    return entry ? entry.value : undefined
  }
  const topicMetadata = async () => {
    const md = await admin.metadata({ topics: [topic], forceUpdate: true })
    return md.topics.get(topic)
  }
  try {
    const created = await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 })
    console.log('createTopics:', JSON.stringify(created))
    check.equal('created partitions', created[0]?.partitions, 3)
    const t = await topicMetadata()
    console.log(`metadata: ${t?.partitionsCount} partitions, topic id ${t?.id}`)
    check.equal('partitions after create', t?.partitionsCount, 3)
    check.equal('topic id in metadata matches CreateTopics', t?.id, created[0]?.id)
    if (!t?.id || /^A+$/.test(t.id) || t.id === '00000000-0000-0000-0000-000000000000') {
      check.problems.push(`topic id should be set, saw ${JSON.stringify(t?.id)}`)
    }

    let value = await configValue('retention.ms')
    console.log(`retention.ms = ${value}`)
    check.equal('default retention.ms', value, '604800000')
    await admin.alterConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic,
        configs: [{ name: 'retention.ms', value: '3600000' }] }],
    })
    value = await configValue('retention.ms')
    console.log(`after alterConfigs: retention.ms = ${value}`)
    check.equal('retention.ms after alterConfigs', value, '3600000')
    await admin.incrementalAlterConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic,
        configs: [{ name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '7200000' }] }],
    })
    value = await configValue('retention.ms')
    console.log(`after incrementalAlterConfigs: retention.ms = ${value}`)
    check.equal('retention.ms after incrementalAlterConfigs', value, '7200000')

    await admin.createPartitions({ topics: [{ name: topic, count: 5 }] })
    const grown = await topicMetadata()
    console.log(`after createPartitions: ${grown?.partitionsCount} partitions`)
    check.equal('partitions after createPartitions', grown?.partitionsCount, 5)

    await admin.deleteTopics({ topics: [topic] })
    const remaining = await admin.listTopics()
    console.log(`after deleteTopics: present=${remaining.includes(topic)}`)
    check.equal('topic listed after delete', remaining.includes(topic), false)
  } finally {
    await admin.close()
  }
  check.finish()
})
