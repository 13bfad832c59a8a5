// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Response bodies for versions only KafkaJS implements among our independent clients
// (kafka-python stops earlier, platformatic starts later), vouched for by KafkaJS's
// own response decoders, the same way platformatic_responses.mjs uses platformatic's:
// each layout below follows KafkaJS's decode() (field order, types, and the names it
// returns), values are written with KafkaJS's Encoder, and a vector is emitted only
// after decode() has read back exactly the values that were written.

import path from 'node:path';

import { arr, parr, struct, randomStruct, structDifference } from './response_layouts.mjs';

// From v2/v3 on, KafkaJS reports the broker's throttle time as clientSideThrottleTime.
const throttle = ['clientSideThrottleTime', 'i32'];

const metadata = [throttle,
  ['brokers', arr([['nodeId', 'i32'], ['host', 'str'], ['port', 'i32'], ['rack', 'nstr']])],
  ['clusterId', 'nstr'], ['controllerId', 'i32'],
  ['topicMetadata', arr([['topicErrorCode', 'err'], ['topic', 'str'], ['isInternal', 'bool'],
    ['partitionMetadata', arr([['partitionErrorCode', 'err'], ['partitionId', 'i32'], ['leader', 'i32'],
      ['replicas', parr], ['isr', parr], ['offlineReplicas', parr]])]])]];
const joinGroup = v => [throttle, ['errorCode', 'err'], ['generationId', 'i32'], ['groupProtocol', 'str'],
  ['leaderId', 'str'], ['memberId', 'str'],
  ['members', arr([['memberId', 'str'], ...(v >= 5 ? [['groupInstanceId', 'nstr']] : []), ['memberMetadata', 'bytes']])]];
const syncGroup = [throttle, ['errorCode', 'err'], ['memberAssignment', 'bytes']];
const offsetCommit = [throttle, ['responses', arr([['topic', 'str'], ['partitions', arr([['partition', 'i32'], ['errorCode', 'err']])]])]];
const offsetFetch = [throttle,
  ['responses', arr([['topic', 'str'], ['partitions', arr([['partition', 'i32'], ['offset', 'i64s'], ['metadata', 'nstr'], ['errorCode', 'err']])]])],
  ['errorCode', 'err']];
const findCoordinator = [throttle, ['errorCode', 'err'], ['errorMessage', 'nstr'],
  ['coordinator', struct([['nodeId', 'i32'], ['host', 'str'], ['port', 'i32']])]];

// [SchemaName, KafkaJS request directory, versions, (version) => layout]
const LAYOUTS = [
  ['MetadataResponse', 'metadata', [6], () => metadata],
  ['FindCoordinatorResponse', 'findCoordinator', [2], () => findCoordinator],
  ['JoinGroupResponse', 'joinGroup', [3, 4, 5], joinGroup],
  ['SyncGroupResponse', 'syncGroup', [2, 3], () => syncGroup],
  ['OffsetCommitResponse', 'offsetCommit', [4, 5], () => offsetCommit],
  ['OffsetFetchResponse', 'offsetFetch', [4], () => offsetFetch]
];

function encodeStruct(Encoder, fields, value) {
  const e = new Encoder();
  for (const [name, type] of fields) encodeValue(e, Encoder, type, value[name]);
  return e;
}

function encodeValue(e, Encoder, type, value) {
  if (typeof type === 'object') {
    switch (type.kind) {
      case 'arr': return e.writeArray(value.map(v => encodeStruct(Encoder, type.fields, v)), 'object');
      case 'parr': return e.writeArray(value, 'int32');
      case 'struct': return e.writeEncoder(encodeStruct(Encoder, type.fields, value));
    }
  }
  switch (type) {
    case 'i16':
    case 'err': return e.writeInt16(value);
    case 'i32': return e.writeInt32(value);
    case 'i64s': return e.writeInt64(value);
    case 'bool': return e.writeBoolean(value);
    case 'str':
    case 'nstr': return e.writeString(value);
    case 'bytes': return e.writeBytes(value);
  }
  throw new Error(`layout type ${JSON.stringify(type)} has no KafkaJS encoding here`);
}

// Yields [SchemaName, version, Buffer] for every layout, after KafkaJS's check.
export async function* kafkajsResponses(requireFromModules, requestsDir, makeRng, instances) {
  const Encoder = requireFromModules('kafkajs/src/protocol/encoder');
  for (const [schema, dir, versions, layoutOf] of LAYOUTS) {
    for (const version of versions) {
      const { decode } = requireFromModules(path.join(requestsDir, dir, `v${version}`, 'response.js'));
      const fields = layoutOf(version);
      const rng = makeRng(`kafkajs-responses/${schema}/${version}`);
      for (let i = 0; i < instances; i++) {
        const value = randomStruct(rng, fields, null);
        const bytes = encodeStruct(Encoder, fields, value).buffer;
        const parsed = await decode(bytes);
        const d = structDifference(fields, value, parsed, '');
        if (d) throw new Error(`KafkaJS read back a different ${schema} v${version} at ${d}`);
        yield [schema, version, bytes];
      }
    }
  }
}
