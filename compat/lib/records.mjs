// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The records every produce_consume / offsets_for_times scenario sends, and the check of what came back.
// The data set is defined in compat/lib/records.py (read its docstring); this is the same in JavaScript.

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
export const PARTITIONS = 3
export const COUNT = 10000
export const TIME_COUNT = 100

export function baseTimestamp() {
  return Math.floor(Date.now() / 1000) * 1000 - CODECS.length * COUNT
}

// Record i of one codec's run: keys, values and header values are Buffers; headers a list of [name, value].
export function record(codec, i, base) {
  const c = CODECS.indexOf(codec)
  return {
    partition: i % PARTITIONS,
    key: Buffer.from(`${codec}-${String(i).padStart(5, '0')}`),
    value: Buffer.from(`${codec}:${i}:` + 'abcdefghij'.repeat(1 + (i % 8))),
    headers: [['codec', Buffer.from(codec)], ['seq', Buffer.from(String(i))]],
    timestamp: base + c * COUNT + i,
  }
}

export function records(codec, base, count = COUNT) {
  return Array.from({ length: count }, (_, i) => record(codec, i, base))
}

export function timeRecord(p, j, base) {
  return { partition: p, key: Buffer.from(`t-${p}-${j}`), value: Buffer.from(`time ${p} ${j}`), headers: [],
    timestamp: base + 1000 * p + 10 * Math.floor(j / 2) }
}

// [[timestamp to look up, expected offset or null for "no such record"]] for partition p (see records.py).
export function timeQueries(p, base) {
  const first = base + 1000 * p
  const lastPair = Math.floor((TIME_COUNT - 1) / 2)
  return [[first - 1, 0], [first, 0], [first + 70, 14], [first + 75, 16],
    [first + 10 * lastPair, 2 * lastPair], [first + 10 * lastPair + 1, null]]
}

// The offset a lookup of timestamp ts in partition p must answer, null when no record is that late.
export function timeExpected(p, ts, base) {
  for (let j = 0; j < TIME_COUNT; j++) if (timeRecord(p, j, base).timestamp >= ts) return j
  return null
}

export function byPartition(recs) {
  const out = new Map()
  for (const r of recs) {
    if (!out.has(r.partition)) out.set(r.partition, [])
    out.get(r.partition).push(r)
  }
  return out
}

const show = (b) => JSON.stringify(Buffer.isBuffer(b) ? b.toString() : b)
const showHeaders = (hs) => JSON.stringify(hs.map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : v]))

// Compares consumed records with the expected ones, partition by partition.
// consumed: Map partition -> [{ offset (number), key, value, headers: [[name, Buffer]], timestamp (number) }]
// in the order the client delivered them. Returns a list of problems (at most 8 per partition).
export function compare(expected, consumed) {
  const problems = []
  const parts = [...new Set([...expected.keys(), ...consumed.keys()])].sort((a, b) => a - b)
  for (const p of parts) {
    const want = expected.get(p) ?? []
    const seen = consumed.get(p) ?? []
    const mine = []
    if (seen.length !== want.length) mine.push(`partition ${p}: ${seen.length} records, expected ${want.length}`)
    for (let n = 1; n < seen.length; n++) {
      if (seen[n].offset <= seen[n - 1].offset) {
        mine.push(`partition ${p}: offsets not strictly increasing in delivery order`)
        break
      }
    }
    for (let n = 0; n < Math.min(want.length, seen.length); n++) {
      if (mine.length >= 8) {
        mine.push(`partition ${p}: (more mismatches not shown)`)
        break
      }
      const w = want[n]
      const s = seen[n]
      const fields = []
      if (!s.key || !w.key.equals(s.key)) fields.push(`key ${show(s.key)} != ${show(w.key)}`)
      if (!s.value || !w.value.equals(s.value)) fields.push(`value ${show(s.value)} != ${show(w.value)}`)
      if (showHeaders(s.headers) !== showHeaders(w.headers)) fields.push(`headers ${showHeaders(s.headers)} != ${showHeaders(w.headers)}`)
      if (s.timestamp !== w.timestamp) fields.push(`timestamp ${s.timestamp} != ${w.timestamp}`)
      if (fields.length) mine.push(`partition ${p} record #${n} (offset ${s.offset}): ${fields.join(', ')}`)
    }
    problems.push(...mine)
  }
  return problems
}
