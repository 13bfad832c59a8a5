// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The `groups_recovery` scenario of the Node.js clients (see compat/README.md): a member that crashes, a
// broker that crashes, a static member that restarts. The data set is lib/groups.mjs's.
//
// A crash must look like one to the broker: no LeaveGroup, no clean close of the connection by the client.
// So the member that crashes runs in a child process (the scenario's own file, run again with
// $COMPAT_RECOVERY_MEMBER set) that is SIGKILLed. It reports on stdout, one JSON object a line, every
// assignment ({"joined":[partitions]}) and every record ({"record":[partition, offset, key]}) and commits
// the offsets it is sent on stdin ({"commit":{partition: offset}}, answered with {"committed":...}); when
// its stdin ends it closes its consumer and exits.
//
// Each client provides `newMembers(tally, group, hooks)`: its in-process members of one group, with
// add(name, {instanceId}), assignments() ({name: Set}), joins(name) (completed joins, i.e. rebalances it
// went through), commit(name, offsets?) (default: what it consumed), close(name), settle() (waits until
// nothing fetched before a rebalance can still arrive), failure() (an error to stop on, or null) and a
// `tally` field that may be replaced; it calls hooks.joined(name, partitions) after every join.
// group: {bootstrap, groupId, topic, sessionTimeout}.
import { spawn } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { Checker, run, skip } from './expect.mjs'
import * as groups from './groups.mjs'
import * as ownBroker from './own_broker.mjs'

const MEMBER_ENV = 'COMPAT_RECOVERY_MEMBER'

// The smallest session timeout Kafka (and Eddy) accept by default (group.min.session.timeout.ms): a crashed
// member is noticed this long after its last heartbeat.
export const CRASH_SESSION_TIMEOUT_MS = 6000
// A static member's restart must fit in its session timeout; a node process starting a client on a loaded
// machine takes a few seconds, so this leaves ample room.
export const STATIC_SESSION_TIMEOUT_MS = 45000

// In a child process: the member it must run ({name, instanceId, ...group}), or null in the scenario itself.
export function childSpec() {
  const value = process.env[MEMBER_ENV]
  return value ? JSON.parse(value) : null
}

// The child process's side: runs one member and talks to the scenario over stdin/stdout.
export async function serveChild(spec, newMembers) {
  const say = (message) => process.stdout.write(JSON.stringify(message) + '\n')
  const sink = { add: (member, p, offset, key) => say({ record: [p, Number(offset), String(key)] }) }
  const members = newMembers(sink, spec, { joined: (name, held) => say({ joined: [...held] }) })
  const die = (e) => {
    console.error(`${spec.name}: ${e?.stack ?? e}`)
    process.exit(1)
  }
  // Read stdin from the start: its end (the scenario closing this member, or gone) must be seen even
  // while the client is still joining.
  const lines = readline.createInterface({ input: process.stdin })
  const added = members.add(spec.name, spec)
  lines.on('line', (line) => {
    const { commit } = JSON.parse(line)
    added.then(() => members.commit(spec.name, commit)).then(() => say({ committed: commit }), die)
  })
  lines.on('close', () => {
    setTimeout(() => die('closing the consumer took over 20 s'), 20000)
    added.then(() => members.close(spec.name)).then(() => process.exit(0), die)
  })
  try {
    await added
  } catch (e) {
    die(e)
  }
  setInterval(() => members.failure() && die(members.failure()), 200)
}

// The scenario's side of a member in a child process.
export class ChildMember {
  held = new Set()
  joins = 0
  exit = null // how the process ended, once it has
  stopping = false // killed or closed on purpose
  #waiters = []

  constructor(script, spec, tally) {
    this.name = spec.name
    this.tally = tally
    this.proc = spawn(process.execPath, [script], {
      env: { ...process.env, [MEMBER_ENV]: JSON.stringify(spec) },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => {
      this.exit = signal ?? `exit ${code}`
      resolve(this.exit)
    }))
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => this.#receive(line))
  }

  #receive(line) {
    let message
    try {
      message = JSON.parse(line)
    } catch {
      console.log(`${this.name}: ${line}`)
      return
    }
    if (message.joined) {
      this.held = new Set(message.joined)
      this.joins++
    }
    if (message.record) {
      const [p, offset, key] = message.record
      this.tally.add(this.name, p, offset, key, this.held)
    }
    if (message.committed) this.#waiters.shift()?.()
  }

  // Why this member can no longer take part, or null: a child that ended without being told to.
  failure() {
    return this.exit && !this.stopping ? `${this.name} (child process) ended: ${this.exit}` : null
  }

  async commit(offsets) {
    let done = false
    this.#waiters.push(() => { done = true })
    this.proc.stdin.write(JSON.stringify({ commit: offsets }) + '\n')
    await groups.waitUntil(`${this.name} commits`, () => {
      if (this.failure()) throw new Error(this.failure())
      return done
    })
  }

  // A crash: no LeaveGroup, the connections are torn down by the kernel.
  async kill() {
    this.stopping = true
    this.proc.kill('SIGKILL')
    await this.exited
  }

  // A clean shutdown: the child closes its consumer (LeaveGroup where the client sends one).
  async close() {
    this.stopping = true
    this.proc.stdin.end()
    await this.exited
    if (this.exit !== 'exit 0') throw new Error(`${this.name} (child process) ended with ${this.exit} on close`)
  }
}

// In-process members plus members in child processes, seen as one group.
export class Group {
  children = {}

  constructor(members, script, spec) {
    Object.assign(this, { members, script, spec })
  }

  get tally() {
    return this.members.tally
  }

  // Replaces the tally of every member, in-process and child: what is consumed from now on goes there.
  set tally(tally) {
    this.members.tally = tally
    for (const child of Object.values(this.children)) child.tally = tally
  }

  async addChild(name, extra = {}) {
    this.children[name] = new ChildMember(this.script, { ...this.spec, ...extra, name }, this.members.tally)
  }

  assignments() {
    const out = this.members.assignments()
    for (const [name, child] of Object.entries(this.children)) out[name] = new Set(child.held)
    return out
  }

  async wait(what, condition) {
    await groups.waitUntil(what, () => {
      const failure = this.members.failure() ?? Object.values(this.children).map((c) => c.failure()).find(Boolean)
      if (failure) throw new Error(failure)
      return condition()
    })
  }

  async waitSplit(what, partitions) {
    await this.wait(what, () => groups.splitProblem(this.assignments(), partitions) === null)
    console.log(`${what}: ${groups.describe(this.assignments())}`)
    await this.members.settle()
  }

  async commit(name, offsets) {
    if (this.children[name]) await this.children[name].commit(offsets)
    else await this.members.commit(name, offsets)
  }

  async kill(name) {
    await this.children[name].kill()
    delete this.children[name]
  }

  async closeAll() {
    for (const name of Object.keys(this.members.assignments())) await this.members.close(name)
    for (const [name, child] of Object.entries(this.children)) {
      await child.close()
      delete this.children[name]
    }
  }
}

// {partition: offset} for the given partitions.
const at = (parts, offset) => Object.fromEntries([...parts].map((p) => [p, offset]))
const sorted = (set) => [...set].sort((a, b) => a - b)
const MIDDLE = groups.PER_PHASE / 2

// ["p:offset"] from `from` to the end of phase `phase` in the given partitions.
function fromOffset(parts, from, phase) {
  return sorted(parts).flatMap((p) => Array.from({ length: (phase + 1) * groups.PER_PHASE - from }, (_, i) => `${p}:${from + i}`))
}

// Waits until every wanted record was consumed, then a little longer (anything unwanted, such as a record
// before a commit, would show up too), and checks that exactly those were consumed, each once.
async function expectConsumed(g, tally, want, what, check) {
  await g.wait(`consume ${what}`, () => tally.hasAll(want))
  await new Promise((resolve) => setTimeout(resolve, 500))
  check.problems.push(...tally.exactlyOnce(what, want))
}

// Phase 0 is consumed by the members (two in-process, the victim in a child process); the in-process ones
// commit what they consumed, the victim the middle of phase 0 in its partitions; then the victim is
// SIGKILLed. Returns the tally that counts what is consumed from then on.
async function consumeCommitKill(g, [first, second, victim], before, { produce, partitions, check }) {
  await produce(0)
  await expectConsumed(g, g.tally, groups.phaseOffsets(0, partitions), 'phase 0 with three members', check)
  await g.members.commit(first)
  await g.members.commit(second)
  await g.commit(victim, at(before[victim], MIDDLE))
  console.log(`${victim} committed offset ${MIDDLE} in partitions ${sorted(before[victim])}`)
  const tally = g.tally = new groups.Tally()
  await g.kill(victim)
  return tally
}

// After the victim's crash: phase 1 is produced, and the victim's partitions from its commit and phase 1
// must be consumed, each record once.
async function expectResumed(g, tally, victim, before, { produce, partitions, check }) {
  await produce(1)
  const want = fromOffset(before[victim], MIDDLE, 0).concat(groups.phaseOffsets(1, partitions))
  await expectConsumed(g, tally, want, `after ${victim}'s crash: its partitions from its commit, then phase 1`, check)
}

// (a) c1, c2 in-process, c3 in a child process; c3 commits the middle of phase 0 in its partitions and is
// SIGKILLed. Once its session timeout expires, c1 and c2 get its partitions and start exactly at its commit.
// Returns the group with c1 and c2 still in it, everything up to the end of phase 1 consumed and committed.
export async function crashedMemberMoves(scenario) {
  const { newMembers, script, group, partitions, check } = scenario
  const g = new Group(newMembers(new groups.Tally(), group), script, group)
  await g.members.add('c1')
  await g.members.add('c2')
  await g.addChild('c3')
  await g.waitSplit('c1, c2 and c3 (a child process)', partitions)
  const before = g.assignments()

  const tally = await consumeCommitKill(g, ['c1', 'c2', 'c3'], before, scenario)
  console.log('c3 SIGKILLed (no LeaveGroup); waiting for its session timeout')
  await g.waitSplit('after c3 crashed', partitions)
  const now = g.assignments()
  const orphaned = sorted(before.c3).filter((p) => !now.c1.has(p) && !now.c2.has(p))
  if (orphaned.length) check.problems.push(`c3's partitions not all taken over (missing ${orphaned})`)
  await expectResumed(g, tally, 'c3', before, scenario)
  return g
}

// (b) The members commit a different offset in every partition of phase 2 and leave; the broker is SIGKILLed
// and started again on the same data directory; the committed offsets read back are those, and a new
// member consumes exactly from them to the end of phase 2. committed() reads them through the client's
// admin API, once the broker is back.
export async function offsetsSurviveBrokerCrash({ g, eddy, newMembers, script, group, produce, partitions, check, committed }) {
  const tally = g.tally = new groups.Tally()
  await produce(2)
  await g.wait('consume phase 2', () => tally.hasAll(groups.phaseOffsets(2, partitions)))
  const commits = Object.fromEntries([...Array(partitions).keys()].map((p) => [p, 2 * groups.PER_PHASE + 3 + 2 * p]))
  for (const [name, parts] of Object.entries(g.assignments())) {
    await g.commit(name, Object.fromEntries(sorted(parts).map((p) => [p, commits[p]])))
  }
  console.log(`committed ${JSON.stringify(commits)}`)
  await g.closeAll()

  await eddy.restart({ kill: true })
  console.log('broker SIGKILLed and started again on the same data directory')
  const seen = await committed()
  console.log(`committed offsets after the restart: ${JSON.stringify(seen)}`)
  check.equal('committed offsets after the broker crashed', seen, commits)

  const after = new Group(newMembers(new groups.Tally(), group), script, group)
  await after.members.add('c4')
  await after.wait('c4 gets every partition', () => after.assignments().c4.size === partitions)
  const want = [...Array(partitions).keys()].flatMap((p) => fromOffset([p], commits[p], 2))
  await expectConsumed(after, after.tally, want, 'c4 from the offsets committed before the broker crashed', check)
  await after.closeAll()
}

// (c) s1 and s2 in-process, s3 in a child process, all static (group.instance.id); s1 joins first so it
// leads: Kafka rebalances when a static leader of a pre-KIP-814 client restarts, a follower never. s3
// commits the middle of phase 0 in its partitions, is SIGKILLed and started again with the same instance
// id: it gets the same partitions and resumes at its commit; s1 and s2 go through no rebalance at all.
export async function staticMemberKeepsPartitions(scenario) {
  const { newMembers, script, group, partitions, check } = scenario
  const g = new Group(newMembers(new groups.Tally(), group), script, group)
  const instance = (name) => ({ instanceId: `${group.groupId}-${name}` })
  await g.members.add('s1', instance('s1'))
  await g.waitSplit('s1 alone', partitions)
  await g.members.add('s2', instance('s2'))
  await g.addChild('s3', instance('s3'))
  await g.waitSplit('s1, s2 and s3 (a child process), all static', partitions)
  const before = g.assignments()
  const joins = () => ({ s1: g.members.joins('s1'), s2: g.members.joins('s2') })
  const joinsBefore = joins()

  const tally = await consumeCommitKill(g, ['s1', 's2', 's3'], before, scenario)
  console.log('s3 SIGKILLed; starting it again with the same group.instance.id')
  await g.addChild('s3', instance('s3'))
  await g.wait('the restarted s3 gets partitions', () => g.children.s3.joins > 0)
  const after = g.assignments()
  console.log(`after the restart: ${groups.describe(after)}; joins of s1 and s2 ${JSON.stringify(joins())}`)
  check.equal('the restarted s3\'s partitions', sorted(after.s3), sorted(before.s3))
  check.equal('s1 and s2 partitions across the restart of s3',
    [sorted(after.s1), sorted(after.s2)], [sorted(before.s1), sorted(before.s2)])
  check.equal('joins of s1 and s2 (rebalances they went through) during the restart of s3', joins(), joinsBefore)

  await expectResumed(g, tally, 's3', before, scenario)
  check.equal('joins of s1 and s2 until the end', joins(), joinsBefore)
  check.equal('joins of the restarted s3', g.children.s3.joins, 1)
  await g.closeAll()
}

// A groups_recovery scenario file's whole program: in a child process, the member it is asked to run;
// otherwise body(eddy, check) against an Eddy of its own (SKIP without an Eddy binary), whose log's last
// lines go to stderr when something failed.
export function main(newMembers, body) {
  const spec = childSpec()
  if (spec) {
    serveChild(spec, newMembers)
    return
  }
  run(async () => {
    const binary = ownBroker.binary()
    if (!binary) skip('restarting the broker needs an Eddy binary ($COMPAT_BROKER_BIN, set by compat/run when it starts Eddy)')
    const scratch = process.env.COMPAT_SCRATCH || '.'
    const eddy = await ownBroker.OwnEddy.create(binary, path.join(scratch, 'data'), path.join(scratch, 'broker.log'))
    process.on('SIGTERM', () => process.exit(143)) // compat/run's stop: the exit hook stops this Eddy too
    const check = new Checker()
    try {
      await eddy.start()
      await body(eddy, check)
    } catch (e) {
      console.error(`--- last lines of the broker log\n${eddy.logTail()}`)
      throw e
    } finally {
      await eddy.close()
    }
    if (check.problems.length) console.error(`--- last lines of the broker log\n${eddy.logTail()}`)
    check.finish()
  })
}
