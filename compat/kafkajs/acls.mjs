// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS admin.describeAcls, createAcls and deleteAcls (DescribeAcls, CreateAcls, DeleteAcls): Eddy has
// no authorizer, so each is refused with SECURITY_DISABLED, as a Kafka broker without authorizer.class.name
// refuses them; the admin stays usable afterwards (it still lists topics). SKIP on the mock cluster, which
// has none of these APIs.
import kafkajs from 'kafkajs'
import { bootstrap, brokerKind, Checker, run, skip } from '../lib/expect.mjs'
import { client } from './common.mjs'

const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs
const topic = `compat-acls-${process.env.COMPAT_RUN_ID || 'manual'}`

// The Kafka error type a call failed with, or 'no error'.
async function errorOf(what, call) {
  try {
    const result = await call()
    console.log(`${what}: ${JSON.stringify(result)}`)
    return 'no error'
  } catch (e) {
    console.log(`${what}: ${e.name} ${e.type ?? ''} ${e.message}`)
    return e.type ?? e.name
  }
}

run(async () => {
  if (brokerKind() === 'mock') skip('the mock cluster has no ACL APIs')
  const kafka = client(bootstrap(), 'eddy-compat')
  const check = new Checker()
  const admin = kafka.admin()
  await admin.connect()
  try {
    const acl = {
      resourceType: AclResourceTypes.TOPIC,
      resourceName: topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:alice',
      host: '*',
      operation: AclOperationTypes.READ,
      permissionType: AclPermissionTypes.ALLOW,
    }
    const filter = { ...acl, resourcePatternType: ResourcePatternTypes.ANY }
    check.equal('describeAcls', await errorOf('describeAcls', () => admin.describeAcls(filter)), 'SECURITY_DISABLED')
    check.equal('createAcls', await errorOf('createAcls', () => admin.createAcls({ acl: [acl] })), 'SECURITY_DISABLED')
    check.equal('deleteAcls', await errorOf('deleteAcls', () => admin.deleteAcls({ filters: [filter] })), 'SECURITY_DISABLED')
    const topics = await admin.listTopics()
    console.log(`listTopics afterwards: ${topics.length} topics`)
  } finally {
    await admin.disconnect()
  }
  check.finish()
})
