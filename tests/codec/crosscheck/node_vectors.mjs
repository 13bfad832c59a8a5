// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Message bodies from two Node.js clients. Requests come from the clients' own
// encoders: @platformatic/kafka 1.35.0 (createRequest of each API module; the only one
// of our independent implementations with flexible versions) and KafkaJS 2.2.4 (older
// versions neither kafka-python nor platformatic cover, and a second opinion on the rest).
// Responses (sources `platformatic-parsed`, `kafkajs-parsed`): see
// platformatic_responses.mjs and kafkajs_responses.mjs.
//
// Usage: node node_vectors.mjs <node_modules dir>
// Prints one vector per line: `<source> <SchemaName> <version> <hex>`.
// Exits 77 (ctest's skip code) when the packages are not installed.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { kafkajsResponses } from './kafkajs_responses.mjs';
import { platformaticResponses } from './platformatic_responses.mjs';

const INSTANCES_PER_VERSION = 24;

const modulesDir = path.resolve(process.argv[2] ?? '');
const platformaticApis = path.join(modulesDir, '@platformatic/kafka/dist/apis');
const kafkajsRequests = path.join(modulesDir, 'kafkajs/src/protocol/requests');
if (!existsSync(platformaticApis) || !existsSync(kafkajsRequests)) {
  console.error(`SKIP: @platformatic/kafka or kafkajs not found under ${modulesDir}; run npm ci in compat/`);
  process.exit(77);
}
const requireFromModules = createRequire(path.join(modulesDir, 'noop.js'));

// Seeded PRNG (mulberry32) so every run prints the same vectors.
function makeRng(seedText) {
  let seed = 0;
  for (const c of seedText) seed = (Math.imul(seed, 31) + c.codePointAt(0)) | 0;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: list => list[Math.floor(next() * list.length)],
    bool: () => next() < 0.5,
    maybeNull: value => (next() < 0.2 ? null : value),
    count: () => rng.pick([0, 1, 1, 2, 3, 5]),
    list: make => Array.from({ length: rng.count() }, (_, i) => make(i)),
    i8: () => rng.pick([0, -1, 1, -128, 127, rng.int(-128, 127)]),
    i16: () => rng.pick([0, -1, 1, -32768, 32767, rng.int(-32768, 32767)]),
    i32: () => rng.pick([0, -1, 1, -2147483648, 2147483647, rng.int(-2147483648, 2147483647), rng.int(0, 1000)]),
    i64: () => rng.pick([0n, -1n, 1n, -(2n ** 63n), 2n ** 63n - 1n, BigInt(rng.int(0, 2 ** 31)) * 4099n]),
    str: () => rng.pick(STRINGS),
    bytes: () => Buffer.from(Array.from({ length: rng.pick([0, 1, 7, 40, 200]) }, () => rng.int(0, 255))),
    uuid: () => Array.from({ length: 16 }, () => rng.int(0, 255).toString(16).padStart(2, '0')).join('')
  };
  return rng;
}

const STRINGS = ['', 'a', 'orders', 'topic-ü', 'τοπικό', '日本語のトピック', 'emoji-\u{1F680}',
  '__consumer_offsets', 'x'.repeat(300), 'range', 'consumer', 'rack-1', 'cluster-ÄÖ'];

// Messages for a produce request: real records, explicit timestamps (determinism).
function messages(rng, shape) {
  const out = [];
  for (const topic of rng.list(() => rng.str()).filter((t, i, all) => all.indexOf(t) === i)) {
    for (const partition of [0, 3].slice(0, rng.int(1, 2))) {
      for (let i = 0; i < rng.int(1, 3); i++) {
        const key = rng.pick([null, Buffer.from(`key-${i}`)]);
        const value = rng.pick([null, Buffer.from('значение'), rng.bytes()]);
        const timestamp = 1700000000000 + i;
        out.push(shape({ topic, partition, key, value, timestamp, i }));
      }
    }
  }
  return out;
}

// ---- @platformatic/kafka: createRequest(...args) per API, args built per version ----
const platformatic = [
  ['ApiVersionsRequest', 'metadata/api-versions', [3, 4], rng => [rng.str(), rng.str()]],
  ['MetadataRequest', 'metadata/metadata', [9, 10, 11, 12],
    rng => [rng.maybeNull(rng.list(() => rng.str())), rng.bool(), rng.bool()]],
  ['ProduceRequest', 'producer/produce', [7, 8, 9, 10, 11], rng => {
    const transactionalId = rng.maybeNull(rng.str());
    const topicData = messages(rng, m => ({
      topic: m.topic, partition: m.partition, key: m.key, value: m.value,
      timestamp: BigInt(m.timestamp),
      headers: m.i % 2 ? new Map([[Buffer.from('h'), Buffer.from('v')], [Buffer.from('ключ'), Buffer.from([0, 255])]]) : new Map()
    }));
    const options = { transactionalId, compression: rng.pick(['none', 'gzip']), producerId: rng.i64(), producerEpoch: rng.int(0, 5) };
    return [rng.pick([-1, 0, 1]), rng.i32(), topicData, options];
  }, rng => true],
  ['FetchRequest', 'consumer/fetch', [12, 13, 14, 15, 16, 17], (rng, v) => {
    const topics = rng.list(() => ({
      topicId: v >= 13 ? rng.uuid() : rng.str(),
      partitions: rng.list(() => ({
        partition: rng.i32(), currentLeaderEpoch: rng.i32(), fetchOffset: rng.i64(),
        lastFetchedEpoch: rng.i32(), partitionMaxBytes: rng.i32()
      }))
    }));
    // v12 writes a forgotten topic as a uuid where Kafka's v12 has a name (README.md),
    // so only v13+ get forgotten topics.
    const forgotten = v >= 13 ? rng.list(() => ({ topic: rng.uuid(), partitions: rng.list(() => rng.i32()) })) : [];
    return [rng.i32(), rng.i32(), rng.i32(), rng.int(0, 1), rng.i32(), rng.i32(), topics, forgotten, rng.str()];
  }],
  ['ListOffsetsRequest', 'consumer/list-offsets', [5, 6, 7, 8, 9], rng => [rng.i32(), rng.int(0, 1),
    rng.list(() => ({ name: rng.str(), partitions: rng.list(() => ({ partitionIndex: rng.i32(), currentLeaderEpoch: rng.i32(), timestamp: rng.i64() })) }))]],
  ['FindCoordinatorRequest', 'metadata/find-coordinator', [4, 5, 6], rng => [rng.int(0, 2), rng.list(() => rng.str())]],
  ['JoinGroupRequest', 'consumer/join-group', [6, 7, 8, 9], rng => [rng.str(), rng.i32(), rng.i32(), rng.str(),
    rng.maybeNull(rng.str()), rng.str(), rng.list(() => ({ name: rng.str(), metadata: rng.pick([null, rng.bytes()]) })),
    rng.maybeNull(rng.str())]],
  ['SyncGroupRequest', 'consumer/sync-group', [4, 5], rng => [rng.str(), rng.i32(), rng.str(), rng.maybeNull(rng.str()),
    rng.maybeNull(rng.str()), rng.maybeNull(rng.str()), rng.list(() => ({ memberId: rng.str(), assignment: rng.bytes() }))]],
  ['OffsetCommitRequest', 'consumer/offset-commit', [8, 9], rng => [rng.str(), rng.i32(), rng.str(), rng.maybeNull(rng.str()),
    rng.list(() => ({ name: rng.str(), partitions: rng.list(() => ({ partitionIndex: rng.i32(), committedOffset: rng.i64(), committedLeaderEpoch: rng.i32(), committedMetadata: rng.maybeNull(rng.str()) })) }))]],
  ['OffsetFetchRequest', 'consumer/offset-fetch', [8, 9], rng => [rng.list(() => ({
    groupId: rng.str(), memberId: rng.maybeNull(rng.str()), memberEpoch: rng.i32(),
    topics: rng.maybeNull(rng.list(() => ({ name: rng.str(), partitionIndexes: rng.list(() => rng.i32()) })))
  })), rng.bool()]],
  ['CreateTopicsRequest', 'admin/create-topics', [7], rng => [rng.list(() => ({
    name: rng.str(), numPartitions: rng.i32(), replicationFactor: rng.i16(),
    assignments: rng.list(() => ({ partitionIndex: rng.i32(), brokerIds: rng.list(() => rng.i32()) })),
    configs: rng.list(() => ({ name: rng.str(), value: rng.maybeNull(rng.str()) }))
  })), rng.i32(), rng.bool()]]
];

// ---- KafkaJS: require('.../requests/<api>/v<N>/request')(args).encode() ----
const kafkaLong = () => requireFromModules('kafkajs/src/utils/long');
const kafkajs = [
  ['ApiVersionsRequest', 'apiVersions', [0, 1, 2], () => ({})],
  ['MetadataRequest', 'metadata', [0, 1, 2, 3, 4, 5, 6], rng => ({ topics: rng.list(() => rng.str()), allowAutoTopicCreation: rng.bool() })],
  ['ProduceRequest', 'produce', [0, 1, 2, 3, 4, 5, 6, 7], (rng, v) => {
    const byTopic = new Map();
    for (const m of messages(rng, m => m)) {
      if (!byTopic.has(m.topic)) byTopic.set(m.topic, new Map());
      const parts = byTopic.get(m.topic);
      if (!parts.has(m.partition)) parts.set(m.partition, []);
      parts.get(m.partition).push({ key: m.key, value: m.value, timestamp: m.timestamp,
        headers: m.i % 2 ? { h: 'v', 'ключ': Buffer.from([0, 255]) } : {} });
    }
    const topicData = [...byTopic].map(([topic, parts]) => ({
      topic, partitions: [...parts].map(([partition, msgs]) => ({ partition, firstSequence: rng.int(0, 100), messages: msgs }))
    }));
    return { acks: rng.pick([-1, 0, 1]), timeout: rng.i32(), transactionalId: rng.maybeNull(rng.str()),
      producerId: kafkaLong().fromValue(rng.int(-1, 1 << 30)), producerEpoch: rng.int(0, 5),
      compression: rng.pick([0, 1]), topicData };
  }],
  ['FetchRequest', 'fetch', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], rng => ({
    replicaId: rng.i32(), maxWaitTime: rng.i32(), minBytes: rng.i32(), maxBytes: rng.i32(), isolationLevel: rng.int(0, 1),
    sessionId: rng.i32(), sessionEpoch: rng.i32(), rackId: rng.str(),
    forgottenTopics: rng.list(() => ({ topic: rng.str(), partitions: rng.list(() => rng.i32()) })),
    topics: rng.list(() => ({ topic: rng.str(), partitions: rng.list(() => ({
      partition: rng.i32(), currentLeaderEpoch: rng.i32(), fetchOffset: rng.i64().toString(),
      logStartOffset: rng.i64().toString(), maxBytes: rng.i32() })) }))
  })],
  ['ListOffsetsRequest', 'listOffsets', [0, 1, 2, 3], rng => ({ replicaId: rng.i32(), isolationLevel: rng.int(0, 1),
    topics: rng.list(() => ({ topic: rng.str(), partitions: rng.list(() => ({ partition: rng.i32(), timestamp: rng.i64().toString(), maxNumOffsets: rng.i32() })) })) })],
  ['FindCoordinatorRequest', 'findCoordinator', [0, 1, 2], rng => ({ groupId: rng.str(), coordinatorKey: rng.str(), coordinatorType: rng.int(0, 1) })],
  ['JoinGroupRequest', 'joinGroup', [0, 1, 2, 3, 4, 5], rng => ({ groupId: rng.str(), sessionTimeout: rng.i32(), rebalanceTimeout: rng.i32(),
    memberId: rng.str(), groupInstanceId: rng.maybeNull(rng.str()), protocolType: rng.str(),
    groupProtocols: rng.list(() => ({ name: rng.str(), metadata: rng.bytes() })) })],
  ['SyncGroupRequest', 'syncGroup', [0, 1, 2, 3], rng => ({ groupId: rng.str(), generationId: rng.i32(), memberId: rng.str(),
    groupInstanceId: rng.maybeNull(rng.str()), groupAssignment: rng.list(() => ({ memberId: rng.str(), memberAssignment: rng.bytes() })) })],
  ['OffsetCommitRequest', 'offsetCommit', [0, 1, 2, 3, 4, 5], rng => ({ groupId: rng.str(), groupGenerationId: rng.i32(), memberId: rng.str(),
    retentionTime: rng.i64().toString(), topics: rng.list(() => ({ topic: rng.str(), partitions: rng.list(() => ({
      partition: rng.i32(), offset: rng.i64().toString(), timestamp: 1700000000000, metadata: rng.maybeNull(rng.str()) })) })) })],
  ['OffsetFetchRequest', 'offsetFetch', [1, 2, 3, 4], rng => ({ groupId: rng.str(),
    topics: rng.list(() => ({ topic: rng.str(), partitions: rng.list(() => ({ partition: rng.i32() })) })) })],
  ['CreateTopicsRequest', 'createTopics', [0, 1, 2, 3], rng => ({ timeout: rng.i32(), validateOnly: rng.bool(),
    topics: rng.list(() => ({ topic: rng.str(), numPartitions: rng.i32(), replicationFactor: rng.i16(),
      replicaAssignment: rng.list(() => ({ partition: rng.i32(), replicas: rng.list(() => rng.i32()) })),
      configEntries: rng.list(() => ({ name: rng.str(), value: rng.maybeNull(rng.str()) })) })) })]
];

// platformatic 1.35.0's Metadata v11 request still writes include_cluster_authorized_operations,
// which Kafka has only in v8-10: one extra byte (always false) just before
// include_topic_authorized_operations and the tagged fields. Remove it, so the rest of the
// layout can still be cross-checked; README.md lists this.
function corrected(schema, version, buffer) {
  if (schema === 'MetadataRequest' && version === 11) {
    const at = buffer.length - 3;
    if (buffer[at] !== 0) throw new Error('platformatic Metadata v11 layout changed; revisit corrected()');
    return Buffer.concat([buffer.subarray(0, at), buffer.subarray(at + 1)]);
  }
  return buffer;
}

function emit(source, schema, version, buffer, seen) {
  const hex = buffer.toString('hex');
  if (seen.has(hex)) return;  // identical bodies (an empty schema) are checked once
  seen.add(hex);
  process.stdout.write(`${source} ${schema} ${version} ${hex || '-'}\n`);
}

async function main() {
  for (const [schema, file, versions, args] of platformatic) {
    for (const v of versions) {
      const mod = await import(pathToFileURL(path.join(platformaticApis, `${file}-v${v}.js`)));
      const rng = makeRng(`platformatic/${schema}/${v}`);
      const seen = new Set();
      for (let i = 0; i < INSTANCES_PER_VERSION; i++) {
        emit('platformatic', schema, v, corrected(schema, v, mod.createRequest(...args(rng, v)).buffer), seen);
      }
    }
  }
  for (const [source, responses] of [
    ['platformatic-parsed', platformaticResponses(platformaticApis, makeRng, INSTANCES_PER_VERSION)],
    ['kafkajs-parsed', kafkajsResponses(requireFromModules, kafkajsRequests, makeRng, INSTANCES_PER_VERSION)]]) {
    let seen = new Set();
    let last = '';
    for await (const [schema, v, bytes] of responses) {
      if (`${schema}/${v}` !== last) [seen, last] = [new Set(), `${schema}/${v}`];
      emit(source, schema, v, bytes, seen);
    }
  }
  for (const [schema, dir, versions, args] of kafkajs) {
    for (const v of versions) {
      const request = requireFromModules(path.join(kafkajsRequests, dir, `v${v}`, 'request.js'));
      const rng = makeRng(`kafkajs/${schema}/${v}`);
      const seen = new Set();
      for (let i = 0; i < INSTANCES_PER_VERSION; i++) {
        const encoder = await request(args(rng, v)).encode();
        emit('kafkajs', schema, v, encoder.buffer, seen);
      }
    }
  }
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
