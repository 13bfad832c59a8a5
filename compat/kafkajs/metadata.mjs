// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS: bootstrap, negotiate versions (ApiVersions), describe the cluster through the admin client.
import { createRequire } from 'node:module'
import kafkajs from 'kafkajs'
import { bootstrap, Checker, run } from '../lib/expect.mjs'

const { Kafka, logLevel } = kafkajs
const version = createRequire(import.meta.url)('kafkajs/package.json').version

run(async () => {
  console.log(`kafkajs ${version}`)
  const kafka = new Kafka({
    clientId: 'eddy-compat',
    brokers: [bootstrap()],
    logLevel: process.env.COMPAT_DEBUG ? logLevel.DEBUG : logLevel.WARN,
    connectionTimeout: 10000,
    requestTimeout: 30000,
    retry: { retries: 2 },
  })
  const admin = kafka.admin()
  let cluster
  try {
    await admin.connect()
    cluster = await admin.describeCluster()
  } finally {
    await admin.disconnect()
  }
  console.log('describeCluster:', JSON.stringify(cluster))
  const check = new Checker()
  check.brokers(cluster.brokers)
  check.clusterId(cluster.clusterId)
  check.controller(cluster.controller)
  check.finish()
})
