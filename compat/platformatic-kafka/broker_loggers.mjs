// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// @platformatic/kafka Admin and the BROKER_LOGGER config resource (KIP-412, what
// `kafka-configs --entity-type broker-loggers` uses): the broker's loggers are described with
// their levels, a level is set and unset with IncrementalAlterConfigs, and a level Kafka does
// not know is refused with INVALID_CONFIG. SKIP on the mock cluster (no ApiVersions v3).
import { Checker, run } from '../lib/expect.mjs'
import { connectAdmin, kafka } from '../lib/txn_platformatic.mjs'

const { ConfigResourceTypes, IncrementalAlterConfigOperationTypes } = kafka
const DYNAMIC_BROKER_LOGGER_CONFIG = 6
const INVALID_CONFIG = 40
const check = new Checker()

run(async () => {
  const admin = await connectAdmin()
  const brokerId = String((await admin.metadata({ topics: [] })).brokers.keys().next().value)
  const loggers = async (names = []) => {
    const d = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.BROKER_LOGGER, resourceName: brokerId, configurationKeys: names }],
    })
    return d[0].configs
  }
  const level = async (name) => (await loggers([name])).find((c) => c.name === name)?.value
  const alter = (name, configOperation, value) => admin.incrementalAlterConfigs({
    resources: [{ resourceType: ConfigResourceTypes.BROKER_LOGGER, resourceName: brokerId,
      configs: [{ name, configOperation, value }] }],
  })

  const all = await loggers()
  console.log('loggers:', all.map((c) => `${c.name}=${c.value}`).join(' '))
  for (const name of ['root', 'kafka', 'storage']) {
    check.equal(`logger ${name} listed`, all.some((c) => c.name === name), true)
  }
  check.equal('every logger a DYNAMIC_BROKER_LOGGER_CONFIG',
    all.every((c) => c.configSource === DYNAMIC_BROKER_LOGGER_CONFIG), true)
  const rootLevel = await level('root')

  // "storage" logs little, so the scenarios running beside this one lose nothing they need.
  await alter('storage', IncrementalAlterConfigOperationTypes.SET, 'ERROR')
  check.equal('storage after SET ERROR', await level('storage'), 'ERROR')
  await alter('storage', IncrementalAlterConfigOperationTypes.DELETE, null)
  check.equal("storage after DELETE (root's level again)", await level('storage'), rootLevel)

  let refused = null
  try {
    await alter('storage', IncrementalAlterConfigOperationTypes.SET, 'VERBOSE')
  } catch (e) {
    refused = JSON.stringify(e.response ?? e.errors ?? e.message)
  }
  console.log('SET VERBOSE:', refused)
  check.equal('SET VERBOSE refused with INVALID_CONFIG', refused?.includes(`"errorCode":${INVALID_CONFIG}`), true)
  check.equal('storage after the refused SET', await level('storage'), rootLevel)

  await admin.close()
  check.finish()
})
