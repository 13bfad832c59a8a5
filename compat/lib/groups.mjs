// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Bookkeeping shared by the Node.js consumer-group scenarios; the data set is that of compat/lib/groups.py
// (read its docstring): phase k, record i of partition p sits at offset k * PER_PHASE + i, key "k<k>-p<p>-<i>".

export const PARTITIONS = 6
export const PER_PHASE = 20
export const DEADLINE_MS = 60000 // any single wait; only a hung test reaches it

export const key = (phase, p, i) => `k${phase}-p${p}-${String(i).padStart(4, '0')}`
export const expectedKey = (p, offset) => key(Math.floor(offset / PER_PHASE), p, offset % PER_PHASE)

// ["p:offset"] of records start..stop-1 of a phase in every partition.
export function phaseOffsets(phase, partitions, start = 0, stop = PER_PHASE) {
  const out = []
  for (let p = 0; p < partitions; p++) for (let i = start; i < stop; i++) out.push(`${p}:${phase * PER_PHASE + i}`)
  return out
}

// Why the members' assignments ({name: Set of partitions}) do not yet split the topic among them, or null.
export function splitProblem(assignments, partitions) {
  const owners = new Map()
  for (const [name, parts] of Object.entries(assignments)) {
    for (const p of parts) owners.set(p, [...(owners.get(p) ?? []), name])
  }
  const shared = [...owners].filter(([, o]) => o.length > 1)
  if (shared.length) return `partitions held by more than one member: ${JSON.stringify(shared)}`
  const missing = [...Array(partitions).keys()].filter((p) => !owners.has(p))
  if (missing.length) return `partitions nobody holds: ${missing}`
  const idle = Object.entries(assignments).filter(([, parts]) => parts.size === 0).map(([n]) => n)
  if (idle.length && Object.keys(assignments).length <= partitions) return `members without partitions: ${idle}`
  return null
}

export const describe = (assignments) =>
  Object.entries(assignments).sort().map(([n, p]) => `${n}=[${[...p].sort((a, b) => a - b)}]`).join(', ')

// Every record consumed, by whom, and whether its key is the one its offset must hold.
export class Tally {
  count = new Map() // "p:offset" -> times consumed
  problems = []

  add(member, p, offset, keyBuffer, held) {
    const k = String(keyBuffer)
    const id = `${p}:${offset}`
    this.count.set(id, (this.count.get(id) ?? 0) + 1)
    if (k !== expectedKey(p, Number(offset)) && this.problems.length < 10) {
      this.problems.push(`${member}: partition ${p} offset ${offset} has key ${k}, expected ${expectedKey(p, Number(offset))}`)
    }
    if (held && !held.has(p) && this.problems.length < 10) {
      this.problems.push(`${member} got partition ${p} offset ${offset} outside its assignment [${[...held]}]`)
    }
  }

  hasAll(wanted) {
    return wanted.every((id) => this.count.has(id))
  }

  // Problems unless every wanted record was consumed once and nothing else was.
  exactlyOnce(what, wanted) {
    const want = new Set(wanted)
    const out = [...this.problems]
    const missing = wanted.filter((id) => !this.count.has(id))
    const twice = [...this.count].filter(([, n]) => n > 1)
    const extra = [...this.count.keys()].filter((id) => !want.has(id))
    if (missing.length) out.push(`${what}: ${missing.length} records never consumed, first ${missing.slice(0, 5)}`)
    if (twice.length) out.push(`${what}: ${twice.length} records consumed more than once, first ${JSON.stringify(twice.slice(0, 5))}`)
    if (extra.length) out.push(`${what}: ${extra.length} records consumed that should not have been, first ${extra.slice(0, 5)}`)
    return out
  }
}

// Resolves once condition() holds, checking every 100 ms; rejects naming `what` after DEADLINE_MS.
export async function waitUntil(what, condition, deadlineMs = DEADLINE_MS) {
  const end = Date.now() + deadlineMs
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`${what}: not reached after ${deadlineMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

// The `groups` scenario (see compat/README.md); lib/groups.py's share_and_resume() is the same in Python.
// newMembers(tally) returns a client's set of members with add(name), close(name), assignments() ({name: Set}),
// wait(what, condition), waitSplit(what, partitions) and commit(name, offsets?) (default: what it consumed).
// hooks (all optional, async): threeMembers(assignments), committed() -> {partition: offset} with c4 active,
// oneMember() with c4 alone, allLeft() once every member left.
export async function shareAndResume(newMembers, produce, partitions, check, hooks) {
  const tally = new Tally()
  const members = newMembers(tally)
  for (const name of ['c1', 'c2', 'c3']) await members.add(name)
  // Records are produced only once the group is stable, so no rebalance happens while they are consumed.
  await members.waitSplit('three members', partitions)
  const first = members.assignments()
  await hooks.threeMembers?.(first)

  await produce(0)
  let want = phaseOffsets(0, partitions)
  await members.wait('consume phase 0', () => tally.hasAll(want))
  check.problems.push(...tally.exactlyOnce('phase 0 with three members', want))
  for (const name of ['c1', 'c2', 'c3']) await members.commit(name)

  // c3 leaves: c1 and c2 take over its partitions and start where c3 committed.
  await members.close('c3')
  await members.waitSplit('after c3 left', partitions)
  const now = Object.values(members.assignments()).flatMap((s) => [...s])
  const lost = [...first.c3].filter((p) => !now.includes(p))
  if (lost.length) check.problems.push(`c3's partitions not all taken over (missing ${lost})`)
  await produce(1)
  want = want.concat(phaseOffsets(1, partitions))
  await members.wait('consume phase 1', () => tally.hasAll(want))
  check.problems.push(...tally.exactlyOnce('phases 0-1 after c3 left', want))

  // Commit the middle of phase 2 explicitly: a new member must resume exactly there.
  await produce(2)
  want = want.concat(phaseOffsets(2, partitions))
  await members.wait('consume phase 2', () => tally.hasAll(want))
  const middle = 2 * PER_PHASE + PER_PHASE / 2
  for (const [name, parts] of Object.entries(members.assignments())) {
    await members.commit(name, Object.fromEntries([...parts].map((p) => [p, middle])))
  }
  await members.close('c1')
  await members.close('c2')

  const tallyAfter = new Tally()
  const newcomer = newMembers(tallyAfter)
  await newcomer.add('c4')
  await newcomer.waitSplit('new member c4', partitions)
  const committed = await hooks.committed?.()
  if (committed) {
    console.log(`committed offsets: ${JSON.stringify(committed)}`)
    check.equal('committed offsets', committed, Object.fromEntries([...Array(partitions).keys()].map((p) => [p, middle])))
  }
  const rest = phaseOffsets(2, partitions, PER_PHASE / 2)
  await newcomer.wait('c4 consumes from the committed offsets', () => tallyAfter.hasAll(rest))
  await new Promise((resolve) => setTimeout(resolve, 500)) // anything before the committed offsets would show up too
  check.problems.push(...tallyAfter.exactlyOnce('c4 resuming at the committed offsets', rest))
  await hooks.oneMember?.()
  await newcomer.close('c4')
  await hooks.allLeft?.()
}
