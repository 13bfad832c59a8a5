// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS admin: create a topic with 3 partitions, see it in metadata, describe and alter a
// config, add partitions, delete it and see it gone.
import { createRequire } from 'node:module'
import kafkajs from 'kafkajs'
import { bootstrap, Checker, run } from '../lib/expect.mjs'

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs
const version = createRequire(import.meta.url)('kafkajs/package.json').version

run(async () => {
  console.log(`kafkajs ${version}`)
  const kafka = new Kafka({
    clientId: 'eddy-compat',
    brokers: [bootstrap()],
    logLevel: process.env.COMPAT_DEBUG ? logLevel.DEBUG : logLevel.WARN,
    connectionTimeout: 10000,
    requestTimeout: 30000,
    retry: { retries: 5 },
  })
  const topic = `compat-topics-${process.env.COMPAT_RUN_ID || 'local'}`
  const check = new Checker()
  const admin = kafka.admin()
  const retention = async () => {
    const d = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    })
    const entry = d.resources[0].configEntries.find((e) => e.configName === 'retention.ms')
    return entry ? entry.configValue : undefined
  }
  const partitions = async () => {
    const md = await admin.fetchTopicMetadata({ topics: [topic] })
    return md.topics[0].partitions.length
  }
  try {
    await admin.connect()
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    })
    console.log(`createTopics: ${created}`)
    check.equal('createTopics result', created, true)
    const n = await partitions()
    console.log(`metadata: ${n} partitions (KafkaJS exposes no topic ids)`)
    check.equal('partitions after create', n, 3)

    let value = await retention()
    console.log(`retention.ms = ${value}`)
    check.equal('default retention.ms', value, '604800000')
    await admin.alterConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic,
        configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
    })
    value = await retention()
    console.log(`after alterConfigs: retention.ms = ${value}`)
    check.equal('retention.ms after alterConfigs', value, '3600000')

    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] })
    const grown = await partitions()
    console.log(`after createPartitions: ${grown} partitions`)
    check.equal('partitions after createPartitions', grown, 5)

    await admin.deleteTopics({ topics: [topic] })
    const remaining = await admin.listTopics()
    console.log(`after deleteTopics: present=${remaining.includes(topic)}`)
    check.equal('topic listed after delete', remaining.includes(topic), false)
  } finally {
    await admin.disconnect()
  }
  check.finish()
})
