// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeCluster v0 and v1 from @platformatic/kafka (sent on a bare connection: the client has the API but no
// Admin method for it; the only client here with it), as Kafka's Admin.describeCluster uses it: the cluster
// id, the expected brokers with their addresses, the expected controller, and, when asked for, every cluster
// operation (no authorizer). Asking a broker for the controller endpoint type gets MISMATCHED_ENDPOINT_TYPE.
// SKIP on the mock cluster (no ApiVersions v3).
import { Checker, run } from '../lib/expect.mjs'
import { callKeepingErrors, connectAdmin, kafka, openConnection } from '../lib/txn_platformatic.mjs'

const MISMATCHED_ENDPOINT_TYPE = 114
// CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE.
const ALL_CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0)
const NOT_ASKED = -2147483648
const check = new Checker()

function checkAnswer(what, answer, operations) {
  console.log(`DescribeCluster ${what}: ${JSON.stringify(answer)}`)
  check.equal(`${what}: error`, answer.errorCode, 0)
  check.clusterId(answer.clusterId)
  check.brokers((answer.brokers ?? []).map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port })))
  check.controller(answer.controllerId)
  check.equal(`${what}: cluster operations`, answer.clusterAuthorizedOperations, operations)
}

run(async () => {
  const admin = await connectAdmin()
  const connection = await openConnection('eddy-compat-describe-cluster')

  checkAnswer('v1 with operations', await kafka.describeClusterV1.api.async(connection, true, 1), ALL_CLUSTER_OPERATIONS)
  checkAnswer('v1', await kafka.describeClusterV1.api.async(connection, false, 1), NOT_ASKED)
  checkAnswer('v0 with operations', await kafka.describeClusterV0.api.async(connection, true), ALL_CLUSTER_OPERATIONS)

  const mismatched = await callKeepingErrors(kafka.describeClusterV1, connection, 'brokers', false, 2)
  console.log(`DescribeCluster for a controller endpoint: ${JSON.stringify(mismatched)}`)
  check.equal('a broker asked as a controller endpoint', [mismatched.errorCode, mismatched.brokers], [MISMATCHED_ENDPOINT_TYPE, []])

  // The same id as Metadata reports.
  const metadata = await admin.metadata({ topics: [] })
  check.equal('cluster id as in Metadata', (await kafka.describeClusterV1.api.async(connection, false, 1)).clusterId, metadata.id)

  await connection.close()
  await admin.close()
  check.finish()
})
