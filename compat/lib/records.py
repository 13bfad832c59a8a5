# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# The records every produce_consume / offsets_for_times scenario sends, and the check of what came back.
"""One deterministic data set, so every client sends and expects exactly the same records.

produce_consume, record i (0 <= i < COUNT) of codec number c (index into CODECS):
  partition  i % PARTITIONS
  key        "<codec>-<i as 5 digits>"                      e.g. "gzip-00042"
  value      "<codec>:<i>:" + "abcdefghij" * (1 + i % 8)    compressible, 15..95 bytes
  headers    [("codec", codec), ("seq", str(i))]            in that order
  timestamp  base + c * COUNT + i  (CreateTime, ms), base = the run's start, rounded down to a
             second, minus len(CODECS) * COUNT, so no timestamp lies in the future.
Per partition, the records are expected in the order they were sent: codec by codec, i ascending.
The C (librdkafka/produce_consume.c), Go (sarama/produce_consume.go) and Node.js (lib/records.mjs)
scenarios build the same records; a client that cannot set per-record headers or timestamps (kcat)
says which fields it checks instead.

offsets_for_times, in each of the PARTITIONS partitions, record j (0 <= j < TIME_COUNT):
  key "t-<p>-<j>", value "time <p> <j>", timestamp base + 1000 * p + 10 * (j // 2)
Two records share each timestamp, so a lookup must return the first of them.
"""

import time

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
PARTITIONS = 3
COUNT = 10000
TIME_COUNT = 100


def base_timestamp():
    now_ms = int(time.time()) * 1000
    return now_ms - len(CODECS) * COUNT


class Record:
    __slots__ = ("partition", "key", "value", "headers", "timestamp")

    def __init__(self, partition, key, value, headers, timestamp):
        self.partition, self.key, self.value = partition, key, value
        self.headers, self.timestamp = headers, timestamp

    def __repr__(self):
        return (f"Record(p={self.partition}, key={self.key!r}, value={self.value!r}, "
                f"headers={self.headers!r}, ts={self.timestamp})")


def record(codec, i, base):
    """Record i of one codec's run; keys, values and header values are bytes."""
    c = CODECS.index(codec)
    return Record(i % PARTITIONS, f"{codec}-{i:05d}".encode(),
                  (f"{codec}:{i}:" + "abcdefghij" * (1 + i % 8)).encode(),
                  [("codec", codec.encode()), ("seq", str(i).encode())], base + c * COUNT + i)


def records(codec, base, count=COUNT):
    return [record(codec, i, base) for i in range(count)]


def time_record(p, j, base):
    return Record(p, f"t-{p}-{j}".encode(), f"time {p} {j}".encode(), [], base + 1000 * p + 10 * (j // 2))


def time_queries(p, base):
    """[(timestamp to look up, expected offset or None for "no such record")] for partition p.

    Kafka answers the earliest offset whose timestamp is >= the one asked for.
    """
    first = base + 1000 * p
    last_pair = (TIME_COUNT - 1) // 2
    return [(first - 1, 0),                    # before everything: the first record
            (first, 0),                        # exactly the first timestamp
            (first + 10 * 7, 14),              # exactly a shared timestamp: the first of the pair
            (first + 10 * 7 + 5, 16),          # between two timestamps: the next pair
            (first + 10 * last_pair, 2 * last_pair),
            (first + 10 * last_pair + 1, None)]  # after everything: no record


def time_expected(p, ts, base):
    """The offset a lookup of timestamp ts in partition p must answer, None when no record is that late."""
    return next((j for j in range(TIME_COUNT) if time_record(p, j, base).timestamp >= ts), None)


class Comparison:
    """Compares consumed records with the expected ones, partition by partition.

    consumed: per partition, (offset, key, value, headers, timestamp) in the order the client
    delivered them; headers as a list of (name, bytes value) pairs. check_timestamp(expected, seen)
    lets a client without settable timestamps (kcat) check something weaker.
    """

    LIMIT = 8  # mismatches reported per partition; the first ones tell the story

    def __init__(self, expected_by_partition, check_timestamp=None):
        self.expected = expected_by_partition
        self.check_timestamp = check_timestamp or (lambda want, seen: want == seen)

    def problems(self, consumed_by_partition):
        problems = []
        for p in sorted(set(self.expected) | set(consumed_by_partition)):
            want = self.expected.get(p, [])
            seen = consumed_by_partition.get(p, [])
            mine = []
            if len(seen) != len(want):
                mine.append(f"partition {p}: {len(seen)} records, expected {len(want)}")
            offsets = [s[0] for s in seen]
            if any(b <= a for a, b in zip(offsets, offsets[1:])):
                mine.append(f"partition {p}: offsets not strictly increasing in delivery order")
            for n, (w, s) in enumerate(zip(want, seen)):
                if len(mine) >= self.LIMIT:
                    mine.append(f"partition {p}: (more mismatches not shown)")
                    break
                offset, key, value, headers, ts = s
                fields = []
                if key != w.key:
                    fields.append(f"key {key!r} != {w.key!r}")
                if value != w.value:
                    fields.append(f"value {value!r} != {w.value!r}")
                if list(headers) != w.headers:
                    fields.append(f"headers {list(headers)!r} != {w.headers!r}")
                if not self.check_timestamp(w.timestamp, ts):
                    fields.append(f"timestamp {ts} != {w.timestamp}")
                if fields:
                    mine.append(f"partition {p} record #{n} (offset {offset}): " + ", ".join(fields))
            problems.extend(mine)
        return problems


def by_partition(recs):
    out = {}
    for r in recs:
        out.setdefault(r.partition, []).append(r)
    return out
