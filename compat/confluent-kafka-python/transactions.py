# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: a transactional producer commits and aborts transactions, interleaved, over a
# 3-partition topic. A read_committed consumer sees exactly the committed records, in order per partition;
# a read_uncommitted consumer sees every record, aborted ones included; no control record (transaction
# marker) ever surfaces as a message. A transaction left open holds read_committed back (the last stable
# offset) until it commits.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import common  # noqa: E402  (confluent-kafka-python/common.py, next to this file)
import expect  # noqa: E402
import txn  # noqa: E402

PARTITIONS = 3
PER_PARTITION = 10
# The outcome of each transaction, in order; every one writes PER_PARTITION records to every partition.
OUTCOMES = ["commit", "abort", "commit", "commit", "abort", "abort", "commit", "abort", "commit"]
bootstrap = expect.bootstrap()
topic = f"compat-txn-confluent-{txn.run_id}"
check = expect.checker()


def keys(t, partitions):
    return {p: [f"t{t}-p{p}-{i:03d}" for i in range(PER_PARTITION)] for p in range(partitions)}


def merge(*sets):
    out = {}
    for s in sets:
        for p, ks in s.items():
            out.setdefault(p, []).extend(ks)
    return out


def run_transaction(producer, t, outcome, partitions, errors):
    producer.begin_transaction()
    batch = keys(t, partitions)
    txn.produce(producer, topic, batch, errors)
    # Flushed first, so an aborted transaction's records really are in the log (abort alone would purge
    # whatever librdkafka had not sent yet).
    producer.flush(60)
    if outcome == "commit":
        producer.commit_transaction(60)
    elif outcome == "abort":
        producer.abort_transaction(60)
    return batch


partitions = common.create_topic(bootstrap, topic, PARTITIONS)
print(f"topic {topic} with {partitions} partitions; transactions: {' '.join(OUTCOMES)}")
producer = txn.transactional_producer(bootstrap, f"compat-txn-{txn.run_id}")
errors = []
committed, everything = {}, {}
for t, outcome in enumerate(OUTCOMES):
    batch = run_transaction(producer, t, outcome, partitions, errors)
    everything = merge(everything, batch)
    if outcome == "commit":
        committed = merge(committed, batch)
# One more, flushed and left open while the consumers read.
t_open = len(OUTCOMES)
open_batch = run_transaction(producer, t_open, "open", partitions, errors)
everything = merge(everything, open_batch)
if errors:
    expect.fail(f"delivery errors: {errors[:3]}")
print(f"produced {len(OUTCOMES)} transactions of {PER_PARTITION} records per partition; "
      f"transaction {t_open} is open")

if txn.markers:
    seen = txn.read(bootstrap, topic, partitions, "read_committed", txn.has_all(committed))
    print(f"read_committed with transaction {t_open} open: {txn.count(seen)} records")
    txn.compare(check, "read_committed while a transaction is open", seen, committed)
else:
    print("mock cluster: no transaction markers, so read_committed is not checked")

seen_all = txn.read(bootstrap, topic, partitions, "read_uncommitted", txn.has_all(everything))
print(f"read_uncommitted: {txn.count(seen_all)} records")
txn.compare(check, "read_uncommitted", seen_all, everything)

producer.commit_transaction(60)
committed = merge(committed, open_batch)
print(f"committed transaction {t_open}")
if txn.markers:
    seen = txn.read(bootstrap, topic, partitions, "read_committed", txn.has_all(committed))
    print(f"read_committed after the last commit: {txn.count(seen)} records")
    txn.compare(check, "read_committed after the last commit", seen, committed)
    # Both isolation levels read the same log: a committed record has the same offset in both views.
    offsets = {k: o for records in seen_all.values() for o, k in records}
    moved = [(k, o, offsets.get(k)) for records in seen.values() for o, k in records
             if k in offsets and offsets[k] != o]
    check.true(f"committed records at different offsets per isolation level: {moved[:3]}", not moved)
    # Each transaction's end is a control record taking an offset: the offsets a consumer sees have gaps.
    gaps = {p: sum(1 for a, b in zip(r, r[1:]) if b[0] != a[0] + 1) for p, r in seen_all.items()}
    print(f"offset gaps (transaction markers) per partition in the read_uncommitted view: {gaps}")
producer.flush(10)
check.finish()
