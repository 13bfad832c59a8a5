// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Response bodies for the versions @platformatic/kafka implements, vouched for by
// platformatic's own response parsers.
//
// platformatic encodes requests but only parses responses. So each response layout
// below is written from platformatic's parseResponse (field order and types), values
// are encoded with platformatic's Writer, and a vector is emitted only after
// platformatic's parseResponse has read back exactly the values that were written.
// The bytes are then as good as "bytes platformatic accepts as this response".
// Fields platformatic skips (marked `unchecked`, e.g. Metadata v9-10
// cluster_authorized_operations) and tagged fields (always empty here; platformatic
// neither writes nor really parses them) are not vouched for.

import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { arr, narr, parr, unchecked, randomStruct, structDifference } from './response_layouts.mjs';

// [SchemaName, module file, versions, (version) => field list, first flexible version]
const LAYOUTS = [
  ['ApiVersionsResponse', 'metadata/api-versions', [3, 4], 3, () => [
    ['errorCode', 'err'], ['apiKeys', arr([['apiKey', 'i16'], ['minVersion', 'i16'], ['maxVersion', 'i16']])],
    ['throttleTimeMs', 'i32']]],
  ['MetadataResponse', 'metadata/metadata', [9, 10, 11, 12], 9, v => [
    ['throttleTimeMs', 'i32'],
    ['brokers', arr([['nodeId', 'i32'], ['host', 'str'], ['port', 'i32'], ['rack', 'nstr']])],
    ['clusterId', 'nstr'], ['controllerId', 'i32'],
    ['topics', arr([['errorCode', 'err'], ['name', v >= 12 ? 'nstr' : 'str'], ...(v >= 10 ? [['topicId', 'uuid']] : []),
      ['isInternal', 'bool'],
      ['partitions', arr([['errorCode', 'err'], ['partitionIndex', 'i32'], ['leaderId', 'i32'], ['leaderEpoch', 'i32'],
        ['replicaNodes', parr], ['isrNodes', parr], ['offlineReplicas', parr]])],
      ['topicAuthorizedOperations', 'i32']])],
    ...(v <= 10 ? [['clusterAuthorizedOperations', unchecked('i32')]] : [])]],
  ['ProduceResponse', 'producer/produce', [7, 8, 9, 10, 11], 9, v => [
    ['responses', arr([['name', 'str'], ['partitionResponses', arr([
      ['index', 'i32'], ['errorCode', 'err'], ['baseOffset', 'i64'], ['logAppendTimeMs', 'i64'], ['logStartOffset', 'i64'],
      ...(v >= 8 ? [['recordErrors', arr([['batchIndex', 'i32'], ['batchIndexErrorMessage', 'nstr']])],
        ['errorMessage', 'nstr']] : [])])]])],
    ['throttleTimeMs', 'i32']]],
  ['FetchResponse', 'consumer/fetch', [12, 13, 14, 15, 16, 17], 12, v => [
    ['throttleTimeMs', 'i32'], ['errorCode', 'err'], ['sessionId', 'i32'],
    ['responses', arr([['topicId', v >= 13 ? 'uuid' : 'str'], ['partitions', arr([
      ['partitionIndex', 'i32'], ['errorCode', 'err'], ['highWatermark', 'i64'], ['lastStableOffset', 'i64'],
      ['logStartOffset', 'i64'], ['abortedTransactions', narr([['producerId', 'i64'], ['firstOffset', 'i64']])],
      ['preferredReadReplica', 'i32'], ['records', 'records']])]])]]],
  ['ListOffsetsResponse', 'consumer/list-offsets', [5, 6, 7, 8, 9], 6, () => [
    ['throttleTimeMs', 'i32'], ['topics', arr([['name', 'str'], ['partitions', arr([
      ['partitionIndex', 'i32'], ['errorCode', 'err'], ['timestamp', 'i64'], ['offset', 'i64'], ['leaderEpoch', 'i32']])]])]]],
  ['FindCoordinatorResponse', 'metadata/find-coordinator', [4, 5, 6], 3, () => [
    ['throttleTimeMs', 'i32'], ['coordinators', arr([['key', 'str'], ['nodeId', 'i32'], ['host', 'str'], ['port', 'i32'],
      ['errorCode', 'err'], ['errorMessage', 'nstr']])]]],
  ['JoinGroupResponse', 'consumer/join-group', [6, 7, 8, 9], 6, v => [
    ['throttleTimeMs', 'i32'], ['errorCode', 'err'], ['generationId', 'i32'],
    ...(v >= 7 ? [['protocolType', 'nstr'], ['protocolName', 'nstr']] : [['protocolName', 'str']]),
    ['leader', 'str'], ...(v >= 9 ? [['skipAssignment', 'bool']] : []), ['memberId', 'str'],
    ['members', arr([['memberId', 'str'], ['groupInstanceId', 'nstr'], ['metadata', 'bytes']])]]],
  ['SyncGroupResponse', 'consumer/sync-group', [4, 5], 4, v => [
    ['throttleTimeMs', 'i32'], ['errorCode', 'err'],
    ...(v >= 5 ? [['protocolType', 'nstr'], ['protocolName', 'nstr']] : []), ['assignment', 'bytes']]],
  ['OffsetCommitResponse', 'consumer/offset-commit', [8, 9], 8, () => [
    ['throttleTimeMs', 'i32'], ['topics', arr([['name', 'str'], ['partitions', arr([['partitionIndex', 'i32'], ['errorCode', 'err']])]])]]],
  ['OffsetFetchResponse', 'consumer/offset-fetch', [8, 9], 6, () => [
    ['throttleTimeMs', 'i32'], ['groups', arr([['groupId', 'str'], ['topics', arr([['name', 'str'], ['partitions', arr([
      ['partitionIndex', 'i32'], ['committedOffset', 'i64'], ['committedLeaderEpoch', 'i32'], ['metadata', 'nstr'],
      ['errorCode', 'err']])]])], ['errorCode', 'err']])]]],
  ['CreateTopicsResponse', 'admin/create-topics', [7], 5, () => [
    ['throttleTimeMs', 'i32'], ['topics', arr([['name', 'str'], ['topicId', 'uuid'], ['errorCode', 'err'],
      ['errorMessage', 'nstr'], ['numPartitions', 'i32'], ['replicationFactor', 'i16'],
      ['configs', narr([['name', 'str'], ['value', 'nstr'], ['readOnly', 'bool'], ['configSource', 'i8'], ['isSensitive', 'bool']])]])]]]
];

function writeValue(w, type, value, flexible) {
  if (typeof type === 'object') {
    switch (type.kind) {
      case 'arr':
      case 'narr':
        return w.appendArray(value, (w, e) => writeStruct(w, type.fields, e, flexible, false), flexible, flexible);
      case 'parr': return w.appendArray(value, (w, e) => w.appendInt32(e), flexible, false);
      case 'unchecked': return writeValue(w, type.type, value, flexible);
    }
  }
  switch (type) {
    case 'i8': return w.appendInt8(value);
    case 'i16':
    case 'err': return w.appendInt16(value);
    case 'i32': return w.appendInt32(value);
    case 'i64': return w.appendInt64(value);
    case 'bool': return w.appendBoolean(value);
    case 'str':
    case 'nstr': return w.appendString(value, flexible);
    case 'uuid': return w.appendUUID(value);
    case 'bytes': return w.appendBytes(value, flexible);
    case 'records': return w.appendBytes(value, flexible);
  }
}

function writeStruct(w, fields, value, flexible, topLevel) {
  for (const [name, type] of fields) writeValue(w, type, value[name], flexible);
  if (topLevel && flexible) w.appendTaggedFields();  // nested structs get theirs from appendArray
}

// Yields [SchemaName, version, Buffer] for every layout, after platformatic's check.
export async function* platformaticResponses(apisDir, makeRng, instances) {
  const { Writer } = await import(pathToFileURL(path.join(apisDir, '../protocol/writer.js')));
  const { Reader } = await import(pathToFileURL(path.join(apisDir, '../protocol/reader.js')));
  const { createRecordsBatch } = await import(pathToFileURL(path.join(apisDir, '../protocol/records.js')));
  const recordsBatch = rng => createRecordsBatch(
    [0, 1, 2].slice(0, rng.int(1, 3)).map(i => ({ key: Buffer.from(`k${i}`), value: rng.bytes(), timestamp: 1700000000000n + BigInt(i),
      headers: new Map([[Buffer.from('h'), Buffer.from('ü')]]) })),
    { compression: rng.pick(['none', 'gzip']) }).buffer;

  for (const [schema, file, versions, firstFlexible, layoutOf] of LAYOUTS) {
    for (const version of versions) {
      const mod = await import(pathToFileURL(path.join(apisDir, `${file}-v${version}.js`)));
      const fields = layoutOf(version);
      const flexible = version >= firstFlexible;
      const rng = makeRng(`platformatic-responses/${schema}/${version}`);
      for (let i = 0; i < instances; i++) {
        const value = randomStruct(rng, fields, recordsBatch);
        const w = Writer.create();
        writeStruct(w, fields, value, flexible, true);
        const bytes = w.buffer;
        let parsed;
        try {
          parsed = mod.parseResponse(0, mod.api.key, version, Reader.from(bytes));
        } catch (err) {
          if (!err.response) throw new Error(`platformatic cannot parse ${schema} v${version}: ${err.stack}`);
          parsed = err.response;  // a ResponseError for non-zero error codes still carries the response
        }
        const d = structDifference(fields, value, parsed, '');
        if (d) throw new Error(`platformatic read back a different ${schema} v${version} at ${d}`);
        yield [schema, version, bytes];
      }
    }
  }
}
