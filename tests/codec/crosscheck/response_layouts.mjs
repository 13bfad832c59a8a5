// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A small layout language for response bodies, shared by the modules that encode
// responses and have an independent client parse them back (platformatic_responses.mjs,
// kafkajs_responses.mjs). A layout is a list of [field name, type]; the names are the
// ones the client's parser returns, so a parsed response can be compared field by field.
//
// Types: 'i8' 'i16' 'err' (an int16 error code both clients know) 'i32' 'i64'
// 'i64s' (an int64 the client returns as a decimal string) 'bool' 'str' 'nstr'
// (nullable) 'uuid' 'bytes' 'records'; arr(fields), narr(fields) (nullable; both
// clients read null as []), parr (int32 array), struct(fields) (inline), and
// unchecked(type) (written, but the client does not read it back).

export const arr = fields => ({ kind: 'arr', fields });
export const narr = fields => ({ kind: 'narr', fields });
export const parr = { kind: 'parr' };
export const struct = fields => ({ kind: 'struct', fields });
export const unchecked = type => ({ kind: 'unchecked', type });

// Clients turn a non-zero code into an error object and need to know the code
// (platformatic throws on unknown ones; KafkaJS throws on 35, UNSUPPORTED_VERSION).
const ERROR_CODES = [0, 0, 0, -1, 3, 6, 15, 16, 22, 25, 27, 79];

function randomValue(rng, type, recordsBatch) {
  if (typeof type === 'object') {
    switch (type.kind) {
      case 'arr': return rng.list(() => randomStruct(rng, type.fields, recordsBatch));
      case 'narr': return rng.maybeNull(rng.list(() => randomStruct(rng, type.fields, recordsBatch)));
      case 'parr': return rng.list(() => rng.i32());
      case 'struct': return randomStruct(rng, type.fields, recordsBatch);
      case 'unchecked': return randomValue(rng, type.type, recordsBatch);
    }
  }
  switch (type) {
    case 'i8': return rng.i8();
    case 'i16': return rng.i16();
    case 'err': return rng.pick(ERROR_CODES);
    case 'i32': return rng.i32();
    case 'i64': return rng.i64();
    case 'i64s': return rng.i64().toString();
    case 'bool': return rng.bool();
    case 'str': return rng.str();
    case 'nstr': return rng.maybeNull(rng.str());
    case 'uuid': return rng.uuid().replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5');
    case 'bytes': return rng.bytes();
    case 'records': return rng.pick([null, Buffer.alloc(0), recordsBatch(rng)]);
  }
  throw new Error(`unknown layout type ${JSON.stringify(type)}`);
}

export function randomStruct(rng, fields, recordsBatch) {
  return Object.fromEntries(fields.map(([name, type]) => [name, randomValue(rng, type, recordsBatch)]));
}

// The first difference between what was written and what the client parsed, as a
// path, or null when the client read back every checked field.
export function difference(type, written, parsed, where) {
  if (typeof type === 'object') {
    switch (type.kind) {
      case 'unchecked': return null;
      case 'parr': return JSON.stringify(written) === JSON.stringify(parsed) ? null : where;
      case 'struct': return structDifference(type.fields, written, parsed, where);
    }
    const expected = written ?? [];
    if (!Array.isArray(parsed) || parsed.length !== expected.length) return `${where} (length)`;
    for (let i = 0; i < expected.length; i++) {
      const d = structDifference(type.fields, expected[i], parsed[i], `${where}/${i}`);
      if (d) return d;
    }
    return null;
  }
  if (type === 'records') return null;  // the client parses batches; eddy keeps them opaque
  if (type === 'bytes') return Buffer.compare(written, parsed) === 0 ? null : where;
  return written === parsed ? null : `${where} (wrote ${written}, read ${parsed})`;
}

export function structDifference(fields, written, parsed, where) {
  if (parsed === null || typeof parsed !== 'object') return `${where} (missing)`;
  for (const [name, type] of fields) {
    const d = difference(type, written[name], parsed[name], where ? `${where}/${name}` : name);
    if (d) return d;
  }
  return null;
}
