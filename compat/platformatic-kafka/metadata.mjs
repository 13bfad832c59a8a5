// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka: bootstrap, list the broker's API versions, read cluster metadata through Admin.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { bootstrap, brokerKind, Checker, run, skip } from '../lib/expect.mjs'

// The client's protocol log (the "debug" package) is switched on before the client is loaded.
if (process.env.COMPAT_DEBUG) process.env.DEBUG ??= 'plt:kafka:*'
const { Admin } = await import('@platformatic/kafka')

// The package exports no ./package.json, so read it next to the resolved entry point.
const entry = createRequire(import.meta.url).resolve('@platformatic/kafka')
const version = JSON.parse(readFileSync(new URL('../package.json', `file://${entry}`))).version

run(async () => {
  console.log(`@platformatic/kafka ${version}`)
  const admin = new Admin({ clientId: 'eddy-compat', bootstrapBrokers: [bootstrap()], timeout: 30000, retries: 2 })
  let metadata
  try {
    const apis = await admin.listApis().catch((e) => {
      // This client speaks only ApiVersions v3, which librdkafka 2.0's mock cluster does not answer.
      if (brokerKind() === 'mock' && e.response?.errorCode === 35) skip('the mock cluster has no ApiVersions v3')
      throw e
    })
    console.log('api versions:', apis.map((a) => `${a.name}(${a.apiKey}) ${a.minVersion}-${a.maxVersion}`).join(', '))
    metadata = await admin.metadata({ topics: [] })
  } finally {
    await admin.close()
  }
  const brokers = [...metadata.brokers].map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port }))
  console.log('brokers:', JSON.stringify(brokers), 'cluster id:', JSON.stringify(metadata.id),
    'controller id:', metadata.controllerId)
  const check = new Checker()
  check.brokers(brokers)
  check.clusterId(metadata.id)
  check.controller(metadata.controllerId)
  check.finish()
})
