# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: log compaction (cleanup.policy=compact), as Kafka's log cleaner does it.
#
# Its own Eddy runs with log.cleaner.backoff.ms=200. Two topics: A (1 partition, cleanup.policy=compact)
# and B (3 partitions, compact,delete), both with a small segment.bytes and min.cleanable.dirty.ratio
# 0.01. Per partition, rounds of keyed records (about 100-byte values, explicit CreateTime timestamps,
# headers on every fourth key, some with an empty value or a repeated name) go out in batches of at most 20
# records, each round from a new idempotent producer in its own codec (none, lz4, gzip, zstd, snappy).
# Round 0 writes every key and later rounds a subset each, so the cleaner drops whole batches and keeps
# part of others, which it must filter and rebuild in their codec. Then tombstones (null values) for two
# keys, then a round of keys never written before, so the tombstones end up in a closed segment, then a
# few old keys again (at least the last of them in the active segment, whose records the cleaner must not
# count: their keys' last records in the closed segments stay too).
#
# The offsets the delivery reports gave are the record set before compaction. Reading every partition
# from offset 0 (a fresh consumer each time, check.crcs on) is repeated until it returns exactly what
# Kafka's cleaner leaves once every closed segment is cleaned: below the active segment's base offset
# (the newest <base>.log in the partition's directory) only each key's last record, from there on
# everything. That wait happens twice: after rounds 0 to 2, and after the rest, so the second cleaning
# also goes over segments the first one rewrote. Every read, also one made while the cleaner is at work,
# must satisfy: offsets strictly increasing; each record returned is the record produced at that offset,
# unchanged (key, value, headers, timestamp); each key's last record is there (the tombstones as
# tombstones). Round 0 is gone entirely, so the first segment is left empty and a read from offset 0
# must get past it. A fetch from a removed offset starts at the next record kept, and offsets_for_times
# of a removed record's timestamp finds that record too. A keyless record to a compacted topic is
# refused with INVALID_RECORD and appends nothing. The log start offset stays 0 and the high watermark
# where it was. After a restart (SIGTERM) the log reads the same, and still the same after a few more
# cleaner passes.
#
# DescribeConfigs shows each topic's cleanup.policy, min.cleanable.dirty.ratio and segment.bytes.
#
# Starts its own Eddy (lib/own_broker.py, from $COMPAT_BROKER_BIN); SKIP without one.
import base64
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import expect  # noqa: E402
import own_broker  # noqa: E402

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka import libversion, version  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic  # noqa: E402

CLEANER_BACKOFF_MS = 200
WAIT_S = 60  # for the cleaner to have cleaned every closed segment; only a broken cleaner reaches it
READ_S = 30  # for one read of a topic from offset 0 to its end
run_id = os.environ.get("COMPAT_RUN_ID", "manual")
debug = {"debug": "protocol,broker,topic,msg,fetch"} if os.environ.get("COMPAT_DEBUG") else {}
check = expect.checker()


class Topic:
    def __init__(self, name, partitions, keys, fillers, segment_bytes, policy):
        self.name, self.partitions, self.keys, self.fillers = name, partitions, keys, fillers
        self.segment_bytes, self.policy = segment_bytes, policy
        self.produced = {p: {} for p in range(partitions)}  # partition -> {offset: (key, value, headers, ts)}
        self.tombstoned = []

    def configs(self):
        return {"cleanup.policy": self.policy, "segment.bytes": str(self.segment_bytes),
                "min.cleanable.dirty.ratio": "0.01"}


TOPICS = [Topic(f"compat-compaction-a-{run_id}", 1, 200, 200, 20000, "compact"),
          Topic(f"compat-compaction-b-{run_id}", 3, 120, 120, 10000, "compact,delete")]
# Round r writes key i when in_round(r, i); each round has its own codec. A key's last round is then
# 4 (i % 5 == 0), else 3 (odd), else 2 (i % 3 == 0), else 1: rounds 1 to 4 each keep part of their batches.
ROUNDS = [("none", lambda i: True), ("lz4", lambda i: i % 2 == 0), ("gzip", lambda i: i % 3 == 0),
          ("zstd", lambda i: i % 2 == 1), ("snappy", lambda i: i % 5 == 0)]
rng = random.Random(run_id)
base_ts = int(time.time()) * 1000 - 100000
seq = 0


def value_for(key, tag):
    """About 100 bytes, half of them random (base64), so batches compress only somewhat."""
    return f"{key}|{tag}|".encode() + base64.b64encode(rng.randbytes(60))


def headers_for(i, tag):
    if i % 4:
        return []
    hs = [("tag", tag.encode()), ("dup", b"first"), ("dup", b"second")]
    if i % 8 == 0:
        # An empty value; not None: confluent-kafka-python 1.7.0 releases None once too often for each
        # header with a null value it hands out, and Python 3.11 aborts at exit ("deallocating None").
        hs.append(("empty", b""))
    return hs


def produce_round(bootstrap, topic, codec, items, what):
    """items: [(partition, key, value, headers)], each with the next timestamp; records the offsets that
    the delivery reports give in topic.produced."""
    global seq
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                         "compression.codec": codec, "linger.ms": 20, "batch.num.messages": 20,
                         "message.timeout.ms": 30000, **debug})
    errors = []

    def delivered(err, msg, rec):
        if err is not None:
            errors.append(f"{msg.key()!r}: {err}")
        else:
            topic.produced[msg.partition()][msg.offset()] = rec

    for p, key, value, hs in items:
        ts = base_ts + seq
        seq += 1
        rec = (key, value, hs, ts)
        while True:
            try:
                producer.produce(topic.name, key=key, value=value, partition=p, headers=hs, timestamp=ts,
                                 on_delivery=lambda err, msg, rec=rec: delivered(err, msg, rec))
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    left = producer.flush(60)
    if left or errors:
        expect.fail(f"{topic.name} {what}: {left} undelivered, {len(errors)} failed, first: {errors[:3]}")
    print(f"{topic.name}: {what}: {len(items)} records, compression {codec}")


def produce_rounds(bootstrap, t, rounds):
    for r in rounds:
        codec, in_round = ROUNDS[r]
        items = [(p, f"k-{p}-{i:04d}", headers_for(i, f"r{r}")) for p in range(t.partitions)
                 for i in range(t.keys) if in_round(i)]
        produce_round(bootstrap, t, codec, [(p, k.encode(), value_for(k, f"r{r}"), hs) for p, k, hs in items],
                      f"round {r}")


def produce_rest(bootstrap, t):
    """After the last round: tombstones, fillers and the late round."""
    # Tombstones for an odd key (last round 3) and one of round 1 (i = 2).
    t.tombstoned = [f"k-{p}-{i:04d}".encode() for p in range(t.partitions) for i in (7, 2)]
    produce_round(bootstrap, t, "none", [(int(k.split(b"-")[1]), k, None, []) for k in t.tombstoned],
                  "tombstones")
    produce_round(bootstrap, t, "lz4",
                  [(p, f"f-{p}-{i:04d}".encode(), value_for(f"f-{p}-{i:04d}", "fill"), headers_for(i, "fill"))
                   for p in range(t.partitions) for i in range(t.fillers)], "fillers (keys written once)")
    # A few keys again, into the active segment: their last records in the closed segments must stay.
    produce_round(bootstrap, t, "gzip",
                  [(p, f"k-{p}-{i:04d}".encode(), value_for(f"k-{p}-{i:04d}", "late"), headers_for(i, "late"))
                   for p in range(t.partitions) for i in range(1, t.keys, 10)], "late round (to the active segment)")


def segment_bases(eddy, t, p):
    """The base offsets of the partition's segments (<20 digits>.log in its directory), ascending."""
    folder = os.path.join(eddy.data_dir, f"{t.name}-{p}")
    return sorted(int(n[:-4]) for n in os.listdir(folder) if n.endswith(".log") and len(n) == 24 and n[:20].isdigit())


def compacted(t, p, active_base):
    """What Kafka's cleaner leaves of the partition once every segment below active_base is cleaned."""
    produced = t.produced[p]
    last_closed = {}
    for offset in sorted(produced):
        if offset < active_base:
            last_closed[produced[offset][0]] = offset
    return [(o, *produced[o]) for o in sorted(produced) if o >= active_base or last_closed[produced[o][0]] == o]


def last_records(t, p):
    produced = t.produced[p]
    last = {}
    for offset in sorted(produced):
        last[produced[offset][0]] = offset
    return last


def read(bootstrap, t):
    """{partition: [(offset, key, value, headers, timestamp)]} read from offset 0 to the end."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"unused-{t.name}", "enable.auto.commit": False,
                         "enable.partition.eof": True, "check.crcs": True, **debug})
    consumer.assign([TopicPartition(t.name, p, 0) for p in range(t.partitions)])
    got = {p: [] for p in range(t.partitions)}
    at_end = set()
    end = time.monotonic() + READ_S
    try:
        while len(at_end) < t.partitions:
            if time.monotonic() > end:
                positions = {tp.partition: tp.offset for tp in consumer.position(
                    [TopicPartition(t.name, p) for p in range(t.partitions)])}
                expect.fail(f"{t.name}: read from offset 0 did not reach the end within {READ_S} s; positions "
                            f"{positions}, records so far { {p: len(v) for p, v in got.items()} }")
            for m in consumer.consume(1000, timeout=0.5):
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        at_end.add(m.partition())
                        continue
                    expect.fail(f"consume {t.name}: {m.error()}")
                got[m.partition()].append((m.offset(), m.key(), m.value(), m.headers() or [], m.timestamp()[1]))
    finally:
        consumer.close()
    return got


def invariant_problems(t, p, records):
    """What must hold of any read, during cleaning too."""
    problems = []
    offsets = [r[0] for r in records]
    if any(b <= a for a, b in zip(offsets, offsets[1:])):
        problems.append(f"p{p}: offsets not strictly increasing")
    produced = t.produced[p]
    changed = [r for r in records if r[0] not in produced or (r[0], *produced[r[0]]) != tuple(r)]
    if changed:
        o = changed[0][0]
        problems.append(f"p{p}: {len(changed)} records differ from what was produced at their offset, first "
                        f"{changed[0]!r}, produced {produced.get(o)!r}")
    seen = {r[0] for r in records}
    missing = sorted(o for o in last_records(t, p).values() if o not in seen)
    if missing:
        problems.append(f"p{p}: the last records of {len(missing)} keys are missing, first at offsets {missing[:5]}")
    return problems


def wait_compacted(bootstrap, eddy, t, final):
    """Reads the topic until every partition is exactly its compacted form (of what has been produced so
    far); checks the invariants on every read. Returns the expected compacted form. final: everything has
    been produced (the tombstones and the late round too)."""
    bases = {p: segment_bases(eddy, t, p) for p in range(t.partitions)}
    expected = {p: compacted(t, p, bases[p][-1]) for p in range(t.partitions)}
    for p in range(t.partitions):
        n = len(t.produced[p])
        print(f"{t.name} p{p}: {n} records produced (offsets 0..{n - 1}) in {len(bases[p])} segments, active from "
              f"offset {bases[p][-1]}; {len(expected[p])} records expected once compacted")
        check.true(f"{t.name} p{p}: only {len(bases[p])} segment(s), the scenario needs several",
                   len(bases[p]) >= (3 if final else 2))
        if not final:
            continue
        tomb_offsets = [o for k, o in last_records(t, p).items() if k in t.tombstoned]
        check.true(f"{t.name} p{p}: a tombstone lies in the active segment ({tomb_offsets}, active from "
                   f"{bases[p][-1]})", all(o < bases[p][-1] for o in tomb_offsets))
        late = [o for o, r in t.produced[p].items() if r[1] and b"|late|" in r[1] and o >= bases[p][-1]]
        print(f"{t.name} p{p}: {len(late)} records of the late round in the active segment")
        check.true(f"{t.name} p{p}: no record of the late round in the active segment", late)
    deadline = time.monotonic() + WAIT_S
    reads, counts = 0, None
    while True:
        got = read(bootstrap, t)
        reads += 1
        for p in range(t.partitions):
            for problem in invariant_problems(t, p, got[p]):
                check.problems.append(f"{t.name} read {reads}: {problem}")
        now = {p: len(v) for p, v in got.items()}
        if now != counts:
            print(f"{t.name} read {reads}: records per partition {now}")
            counts = now
        if check.problems:
            return expected
        if got == expected:
            print(f"{t.name}: compacted as expected after {reads} reads")
            return expected
        if time.monotonic() > deadline:
            for p in range(t.partitions):
                if got[p] != expected[p]:
                    extra = sorted({r[0] for r in got[p]} - {r[0] for r in expected[p]})
                    lost = sorted({r[0] for r in expected[p]} - {r[0] for r in got[p]})
                    check.problems.append(
                        f"{t.name} p{p}: after {WAIT_S} s, {len(got[p])} records read, {len(expected[p])} expected "
                        f"(of {len(t.produced[p])} produced); superseded records still there: {len(extra)}, first "
                        f"offsets {extra[:5]}; expected records missing: {len(lost)}, first offsets {lost[:5]}")
            return expected
        time.sleep(0.3)


def removed_offsets_checks(bootstrap, t, expected):
    """A fetch from a removed offset starts at the next record kept, and a timestamp lookup
    (offsets_for_times) of a removed record's timestamp finds the next record kept (timestamps grow with
    the offsets here): both go through the rebuilt segments' indexes."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"unused-{t.name}", "enable.auto.commit": False,
                         "enable.partition.eof": True, **debug})
    try:
        for p in range(t.partitions):
            kept = [r[0] for r in expected[p]]
            removed = sorted(set(t.produced[p]) - set(kept))
            samples = sorted({removed[0], removed[len(removed) // 3], removed[len(removed) // 2], removed[-1]})
            for x in samples:
                want = min(o for o in kept if o > x)
                ts = t.produced[p][x][3]
                found = consumer.offsets_for_times([TopicPartition(t.name, p, ts)], timeout=30)[0]
                check.equal(f"{t.name} p{p}: offsets_for_times of removed offset {x}'s timestamp", found.offset, want)
                consumer.assign([TopicPartition(t.name, p, x)])
                first, end = None, time.monotonic() + READ_S
                while first is None and time.monotonic() < end:
                    for m in consumer.consume(1, timeout=0.5):
                        if m.error():
                            check.problems.append(f"{t.name} p{p}: fetch from removed offset {x}: {m.error()}")
                            first = -1
                        else:
                            first = m.offset()
                check.equal(f"{t.name} p{p}: first offset fetched from removed offset {x}", first, want)
                consumer.unassign()
            print(f"{t.name} p{p}: fetch and offsets_for_times at removed offsets {samples} land on the next kept ones")
    finally:
        consumer.close()


def watermarks(bootstrap, t):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"unused-{t.name}"})
    try:
        return [consumer.get_watermark_offsets(TopicPartition(t.name, p), timeout=30) for p in range(t.partitions)]
    finally:
        consumer.close()


def keyless_refused(bootstrap, t):
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": False,
                         "message.timeout.ms": 30000, **debug})
    reports = []
    producer.produce(t.name, value=b"no key", partition=0, on_delivery=lambda err, msg: reports.append(err))
    left = producer.flush(60)
    print(f"{t.name}: keyless record: delivery report {reports}")
    check.equal(f"{t.name}: keyless record still undelivered", left, 0)
    code = reports[0].code() if reports and reports[0] is not None else None
    check.equal(f"{t.name}: delivery error of a keyless record", code, KafkaError.INVALID_RECORD)


def body(eddy):
    bootstrap = eddy.bootstrap
    print(f"confluent-kafka-python {version()[0]}, librdkafka {libversion()[0]}; own broker {bootstrap}")
    admin = AdminClient({"bootstrap.servers": bootstrap, **debug})
    futures = admin.create_topics([NewTopic(t.name, t.partitions, 1, config=t.configs()) for t in TOPICS],
                                  request_timeout=30)
    for name, f in futures.items():
        try:
            f.result(60)
        except KafkaException as e:
            expect.fail(f"CreateTopics {name}: {e}")
    for t in TOPICS:
        resource = ConfigResource(ConfigResource.Type.TOPIC, t.name)
        shown = admin.describe_configs([resource])[resource].result(30)
        for key, value in t.configs().items():
            seen = shown[key].value if key in shown else None
            print(f"{t.name}: DescribeConfigs {key} = {seen}")
            check.equal(f"{t.name} {key}", seen, value)

    # Rounds 0 to 2, then a wait for the cleaner; the rest, and a second wait: the second cleaning
    # goes over segments the first one rewrote.
    expected = {}
    for final in (False, True):
        for t in TOPICS:
            if final:
                produce_rounds(bootstrap, t, range(3, len(ROUNDS)))
                produce_rest(bootstrap, t)
                marks = watermarks(bootstrap, t)
                keyless_refused(bootstrap, t)
                check.equal(f"{t.name}: watermarks after the keyless record", watermarks(bootstrap, t), marks)
            else:
                produce_rounds(bootstrap, t, range(3))
        for t in TOPICS:
            ends = [(0, len(t.produced[p])) for p in range(t.partitions)]
            expected[t.name] = wait_compacted(bootstrap, eddy, t, final)
            check.equal(f"{t.name}: (low, high) watermarks after compaction", watermarks(bootstrap, t), ends)
            if final:
                removed_offsets_checks(bootstrap, t, expected[t.name])
            if check.problems:
                return

    eddy.restart()
    print("broker restarted (SIGTERM, then started again on the same data directory)")
    for attempt in ("right after the restart", "after more cleaner passes"):
        if attempt != "right after the restart":
            time.sleep(5 * CLEANER_BACKOFF_MS / 1000)
        for t in TOPICS:
            got = read(bootstrap, t)
            for p in range(t.partitions):
                if got[p] != expected[t.name][p]:
                    check.problems.append(f"{t.name} p{p} {attempt}: {len(got[p])} records, expected the "
                                          f"{len(expected[t.name][p])} of the compacted log")
            print(f"{t.name} {attempt}: records per partition { {p: len(v) for p, v in got.items()} }")


own_broker.run("compaction", check, body, overrides={"log.cleaner.backoff.ms": CLEANER_BACKOFF_MS})
