# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# confluent-kafka-python: fencing a zombie. Producer A (transactional.id X) opens a transaction and writes
# to every partition of a 3-partition topic; producer B starts with the same transactional.id. From B's
# init_transactions on, A is fenced: its next operation (more records, then commit) fails with a fatal
# error, nothing it sends afterwards is stored, and its open transaction is aborted, so read_committed
# never sees any of A's records. B's transactions then commit normally.
#
# SKIP on the mock cluster: librdkafka 2.0.2's mock does not fence (A's commit succeeds there).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import common  # noqa: E402  (confluent-kafka-python/common.py, next to this file)
import expect  # noqa: E402
import txn  # noqa: E402

from confluent_kafka import KafkaException  # noqa: E402

PARTITIONS = 3
PER_PARTITION = 10
bootstrap = expect.bootstrap()
topic = f"compat-txn-fencing-confluent-{txn.run_id}"
transactional_id = f"compat-fencing-{txn.run_id}"
check = expect.checker()

if not txn.markers:
    print("SKIP: the mock cluster does not fence a producer whose transactional.id was taken over")
    sys.exit(77)


def keys(tag, partitions):
    return {p: [f"{tag}-p{p}-{i:03d}" for i in range(PER_PARTITION)] for p in range(partitions)}


partitions = common.create_topic(bootstrap, topic, PARTITIONS)
errors_a, errors_b = [], []
a = txn.transactional_producer(bootstrap, transactional_id)
a.begin_transaction()
a_open = keys("a-open", partitions)
txn.produce(a, topic, a_open, errors_a)
a.flush(60)
print(f"A: transaction open with {PER_PARTITION} records in each of {partitions} partitions, flushed"
      + (f" (delivery errors {errors_a[:3]})" if errors_a else ""))
check.true(f"A's records before the fence were refused: {errors_a[:3]}", not errors_a)

b = txn.transactional_producer(bootstrap, transactional_id)
print("B: init_transactions with the same transactional.id returned")

# A does not know yet: it sends more and tries to commit.
a_late = keys("a-late", partitions)
late_errors = []
fatal = None
try:
    txn.produce(a, topic, a_late, late_errors)
    a.commit_transaction(60)
    check.problems.append("A's commit_transaction succeeded after B took over its transactional.id")
except KafkaException as e:
    fatal = e.args[0]
    print(f"A: {fatal.name()} ({fatal.str()}), fatal={fatal.fatal()}")
    check.true(f"A's error should be fatal, saw {fatal.name()}: {fatal.str()}", fatal.fatal())
print(f"A: {len(late_errors)} delivery errors for the records sent after the fence"
      + (f", first: {late_errors[0]}" if late_errors else ""))

b.begin_transaction()
b_keys = keys("b", partitions)
txn.produce(b, topic, b_keys, errors_b)
b.commit_transaction(60)
check.true(f"B's delivery errors: {errors_b[:3]}", not errors_b)
print("B: committed a transaction")

seen = txn.read(bootstrap, topic, partitions, "read_committed", txn.has_all(b_keys))
print(f"read_committed: {txn.count(seen)} records")
txn.compare(check, "read_committed", seen, b_keys)
# A's first records are in the log, aborted; what A sent after the fence was refused by the broker.
both = {p: a_open[p] + b_keys[p] for p in range(partitions)}
seen_all = txn.read(bootstrap, topic, partitions, "read_uncommitted", txn.has_all(both))
print(f"read_uncommitted: {txn.count(seen_all)} records")
txn.compare(check, "read_uncommitted (A's open transaction, then B's)", seen_all, both)
check.finish()
