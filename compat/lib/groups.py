# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# Bookkeeping shared by the Python consumer-group scenarios (groups, groups_restart, cooperative, ...).
"""The data set and the checks of the `groups` scenarios; lib/groups.mjs is the same for Node.js.

The topic has PARTITIONS partitions (librdkafka's mock cluster auto-creates 4 instead, so scenarios use
the count the broker reports). Records are produced in phases of PER_PHASE records per partition, one
producer, acks=all, one request in flight, so their offsets are known in advance:
  phase k, record i of partition p: offset k * PER_PHASE + i, key "k<k>-p<p>-<i>", value "<key>:v"
Every consumed record is checked against the key its offset must hold, and counted per (partition, offset).
"""

import threading
import time

PARTITIONS = 6
PER_PHASE = 20
DEADLINE = 60  # seconds any single wait may take; only a hung test reaches it


def key(phase, p, i):
    return f"k{phase}-p{p}-{i:04d}"


def expected_key(p, offset):
    return key(offset // PER_PHASE, p, offset % PER_PHASE)


def phase_offsets(phase, partitions, start=0, stop=PER_PHASE):
    """{(p, offset)} of records start..stop-1 of a phase in every partition."""
    return {(p, phase * PER_PHASE + i) for p in range(partitions) for i in range(start, stop)}


def split_problem(assignments, partitions):
    """Why the members' assignments ({name: set of partitions}) are not yet a partition of the topic, or None."""
    owners = {}
    for name, parts in assignments.items():
        for p in parts:
            owners.setdefault(p, []).append(name)
    shared = {p: o for p, o in owners.items() if len(o) > 1}
    missing = sorted(set(range(partitions)) - set(owners))
    if shared:
        return f"partitions held by more than one member: {shared}"
    if missing:
        return f"partitions nobody holds: {missing}"
    idle = sorted(n for n, parts in assignments.items() if not parts)
    if idle and len(assignments) <= partitions:
        return f"members without partitions: {idle}"
    return None


def describe(assignments):
    return ", ".join(f"{n}={sorted(p)}" for n, p in sorted(assignments.items()))


class Tally:
    """Every record consumed, by whom, and whether its key is the one its offset must hold."""

    def __init__(self):
        self.count = {}  # (p, offset) -> times consumed
        self.problems = []
        self.lock = threading.Lock()  # clients that consume in several threads add concurrently

    def add(self, member, p, offset, key_bytes, holder_partitions=None):
        with self.lock:
            self._add(member, p, offset, key_bytes, holder_partitions)

    def _add(self, member, p, offset, key_bytes, holder_partitions):
        k = key_bytes.decode(errors="replace") if isinstance(key_bytes, (bytes, bytearray)) else str(key_bytes)
        self.count[(p, offset)] = self.count.get((p, offset), 0) + 1
        if k != expected_key(p, offset) and len(self.problems) < 10:
            self.problems.append(f"{member}: partition {p} offset {offset} has key {k!r}, expected {expected_key(p, offset)!r}")
        if holder_partitions is not None and p not in holder_partitions and len(self.problems) < 10:
            self.problems.append(f"{member} got partition {p} offset {offset} outside its assignment {sorted(holder_partitions)}")

    def has_all(self, wanted):
        with self.lock:
            return all((po in self.count) for po in wanted)

    def exactly_once(self, what, wanted):
        """Problems unless every (p, offset) in wanted was consumed once and nothing else was consumed."""
        with self.lock:
            return self._exactly_once(what, wanted)

    def _exactly_once(self, what, wanted):
        out = list(self.problems)
        missing = sorted(po for po in wanted if po not in self.count)
        twice = sorted((po, n) for po, n in self.count.items() if n > 1)
        extra = sorted(po for po in self.count if po not in wanted)
        if missing:
            out.append(f"{what}: {len(missing)} records never consumed, first {missing[:5]}")
        if twice:
            out.append(f"{what}: {len(twice)} records consumed more than once, first (record, times) {twice[:5]}")
        if extra:
            out.append(f"{what}: {len(extra)} records consumed that should not have been, first {extra[:5]}")
        return out


def wait_until(what, condition, step, deadline=DEADLINE):
    """Calls step() until condition() is true; raises TimeoutError naming `what` after `deadline` seconds."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(f"{what}: not reached after {deadline} s")
        step()


class Hooks:
    """What a client adds to share_and_resume(): its admin checks and how it reads committed offsets."""

    def three_members(self, assignments):
        """The group is stable with c1, c2, c3 holding `assignments` ({name: partitions})."""

    def committed(self, newcomer, partitions):
        """The group's committed offsets {partition: offset} with c4 active in `newcomer`, or None to skip."""
        return None

    def one_member(self):
        """c4 alone in the group, having consumed."""

    def all_left(self):
        """Every member has left."""


def share_and_resume(new_members, produce, partitions, check, hooks):
    """The `groups` scenario (see compat/README.md): three members share the topic, one leaves, the rest
    commit the middle of the last phase and leave, a new member resumes exactly there.

    new_members(tally) returns a client's set of members, with add(name), close(name), assignments(),
    wait(what, condition) (polls until condition() holds), wait_split(what, partitions) and
    commit(name, offsets=None) (None: what it consumed). produce(phase) produces a phase of the data set.
    """
    tally = Tally()
    members = new_members(tally)
    for name in ("c1", "c2", "c3"):
        members.add(name)
    # Records are produced only once the group is stable, so no rebalance happens while they are consumed.
    members.wait_split("three members", partitions)
    first = members.assignments()
    hooks.three_members(first)

    produce(0)
    want = phase_offsets(0, partitions)
    members.wait("consume phase 0", lambda: tally.has_all(want))
    check.problems += tally.exactly_once("phase 0 with three members", want)
    for name in ("c1", "c2", "c3"):
        members.commit(name)

    # c3 leaves: c1 and c2 take over its partitions and start where c3 committed.
    members.close("c3")
    members.wait_split("after c3 left", partitions)
    moved = first["c3"] - set().union(*members.assignments().values())
    check.true(f"c3's partitions {sorted(first['c3'])} not all taken over (missing {sorted(moved)})", not moved)
    produce(1)
    want |= phase_offsets(1, partitions)
    members.wait("consume phase 1", lambda: tally.has_all(want))
    check.problems += tally.exactly_once("phases 0-1 after c3 left", want)

    # Commit the middle of phase 2 explicitly: a new member must resume exactly there.
    produce(2)
    want |= phase_offsets(2, partitions)
    members.wait("consume phase 2", lambda: tally.has_all(want))
    middle = 2 * PER_PHASE + PER_PHASE // 2
    for name, parts in members.assignments().items():
        members.commit(name, {p: middle for p in parts})
    members.close("c1")
    members.close("c2")

    tally_after = Tally()
    newcomer = new_members(tally_after)
    newcomer.add("c4")
    newcomer.wait_split("new member c4", partitions)
    committed = hooks.committed(newcomer, partitions)
    if committed is not None:
        print(f"committed offsets: {committed}")
        check.equal("committed offsets", committed, {p: middle for p in range(partitions)})
    rest = phase_offsets(2, partitions, start=PER_PHASE // 2)
    newcomer.wait("c4 consumes from the committed offsets", lambda: tally_after.has_all(rest))
    polls = iter(range(5))  # a few polls more: anything before the committed offsets would show up too
    newcomer.wait("a few polls more", lambda: next(polls, None) is None)
    check.problems += tally_after.exactly_once("c4 resuming at the committed offsets", rest)
    hooks.one_member()
    newcomer.close("c4")
    hooks.all_left()
