# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""Message bodies encoded by kafka-python 2.0.2's protocol classes (Debian python3-kafka).

Prints one vector per line: `<source> <SchemaName> <version> <hex>`, for requests and
responses of the eleven cross-checked APIs in every version kafka-python defines. The
values are random but seeded (the output is the same on every run), and chosen to reach
the interesting encodings: several topics and partitions, empty and null values where
Kafka allows them, non-ASCII and long strings, real record batches built by
kafka-python's own record builders.

Must run under /usr/bin/python3 (where Debian installs the `kafka` package).
Exits 77 when kafka-python is not installed, so ctest reports a skip, not a pass.
"""

import random
import sys

try:
    from kafka.coordinator.protocol import (ConsumerProtocolMemberAssignment,
                                            ConsumerProtocolMemberMetadata)
    from kafka.protocol import admin, commit, fetch, group, metadata, offset, produce
    from kafka.protocol.types import (Array, Boolean, Bytes, Int8, Int16, Int32, Int64,
                                      Schema, String)
    from kafka.record.memory_records import MemoryRecordsBuilder
except ImportError as e:  # pragma: no cover - depends on the machine
    print("SKIP: kafka-python is not importable (%s); install Debian's python3-kafka "
          "and run with /usr/bin/python3" % e, file=sys.stderr)
    sys.exit(77)

SOURCE = "kafka-python"
INSTANCES_PER_VERSION = 24

# kafka-python class lists -> Kafka schema names.
APIS = [
    ("ApiVersions", admin.ApiVersionRequest, admin.ApiVersionResponse),
    ("Metadata", metadata.MetadataRequest, metadata.MetadataResponse),
    ("Produce", produce.ProduceRequest, produce.ProduceResponse),
    ("Fetch", fetch.FetchRequest, fetch.FetchResponse),
    ("ListOffsets", offset.OffsetRequest, offset.OffsetResponse),
    ("FindCoordinator", commit.GroupCoordinatorRequest, commit.GroupCoordinatorResponse),
    ("JoinGroup", group.JoinGroupRequest, group.JoinGroupResponse),
    ("SyncGroup", group.SyncGroupRequest, group.SyncGroupResponse),
    ("OffsetCommit", commit.OffsetCommitRequest, commit.OffsetCommitResponse),
    ("OffsetFetch", commit.OffsetFetchRequest, commit.OffsetFetchResponse),
    ("CreateTopics", admin.CreateTopicsRequest, admin.CreateTopicsResponse),
]

# Fields (dotted kafka-python paths) that Kafka's schema declares nullable, with the
# first version where null is allowed. Everywhere else a null would be a malformed
# message, so the generator never produces one.
NULLABLE = {
    "MetadataRequest": {"topics": 1},
    "MetadataResponse": {"brokers.rack": 1, "cluster_id": 2},
    "ProduceRequest": {"transactional_id": 3, "topics.partitions.messages": 0},
    "ProduceResponse": {"topics.partitions.record_errors.batch_index_error_message": 8,
                        "topics.partitions.error_message": 8},
    "FetchResponse": {"topics.partitions.aborted_transactions": 4,
                      "topics.partitions.message_set": 0},
    "FindCoordinatorResponse": {"error_message": 1},
    "OffsetCommitRequest": {"topics.partitions.metadata": 0},
    "OffsetFetchRequest": {"topics": 2},
    "OffsetFetchResponse": {"topics.partitions.metadata": 0},
    "CreateTopicsRequest": {"create_topic_requests.configs.config_value": 0},
    "CreateTopicsResponse": {"topic_errors.error_message": 0},
}

# Record fields: filled with batches from kafka-python's record builders.
RECORDS = {"topics.partitions.messages", "topics.partitions.message_set"}

STRINGS = ["", "a", "orders", "topic-ü", "τοπικό", "日本語のトピック", "emoji-\U0001F680",
           "__consumer_offsets", "x" * 300, "range", "consumer", "rack-1", "cluster-ÄÖ"]


def _field(name, typ):
    return (name, typ)


def corrected(schema_name, version, schema):
    """kafka-python 2.0.2 disagrees with Kafka's schema in four places. Each is fixed
    here so the rest of its layout can still be cross-checked; README.md lists them."""
    if schema_name == "ListOffsetsRequest" and version >= 4:
        # kafka-python declares current_leader_epoch as Int64; Kafka's is int32.
        return Schema(
            ("replica_id", Int32), ("isolation_level", Int8),
            ("topics", Array(("topic", String("utf-8")),
                             ("partitions", Array(("partition", Int32),
                                                  ("current_leader_epoch", Int32),
                                                  ("timestamp", Int64))))))
    if schema_name == "ProduceResponse" and version == 8:
        # kafka-python puts record_errors and error_message at topic level; Kafka has
        # them per partition.
        return Schema(
            ("topics", Array(
                ("topic", String("utf-8")),
                ("partitions", Array(
                    ("partition", Int32), ("error_code", Int16), ("offset", Int64),
                    ("timestamp", Int64), ("log_start_offset", Int64),
                    ("record_errors", Array(("batch_index", Int32),
                                            ("batch_index_error_message", String("utf-8")))),
                    ("error_message", String("utf-8")))))),
            ("throttle_time_ms", Int32))
    if schema_name == "FindCoordinatorResponse" and version == 1:
        # kafka-python omits throttle_time_ms, which Kafka's v1 starts with.
        return Schema(("throttle_time_ms", Int32), *zip(schema.names, schema.fields))
    if schema_name == "FetchRequest" and version >= 7:
        # forgotten_topics_data.topic is the String class, not an instance, so
        # kafka-python cannot encode a non-empty list; use an instance instead.
        names = list(schema.names)
        fields = list(schema.fields)
        i = names.index("forgotten_topics_data")
        fields[i] = Array(("topic", String("utf-8")), ("partitions", Array(Int32)))
        return Schema(*zip(names, fields))
    return None


class generator:
    def __init__(self, rng, schema_name, version):
        self.rng = rng
        self.schema_name = schema_name
        self.version = version
        self.nullable = {p for p, v in NULLABLE.get(schema_name, {}).items() if version >= v}
        self.empty = False  # one instance per version has only empty arrays

    def value(self, typ, path, element=False):
        """A value for `typ`, the field at `path` (or one element of that array field)."""
        rng = self.rng
        if not element:
            if path in self.nullable and rng.random() < 0.2:
                return None
            if path in RECORDS:
                return self.records()
            if path.endswith("member_metadata") or path.endswith("protocol_metadata"):
                return self.consumer_metadata() if self.schema_name.startswith("JoinGroup") \
                    else self.consumer_assignment()
            if path.endswith("member_assignment"):
                return self.consumer_assignment()
        if isinstance(typ, Schema):
            return tuple(self.value(t, path + "." + n if path else n)
                         for n, t in zip(typ.names, typ.fields))
        if isinstance(typ, Array):
            n = 0 if self.empty else rng.choice([0, 1, 1, 2, 3, 5])
            return [self.value(typ.array_of, path, element=True) for _ in range(n)]
        if isinstance(typ, String):
            return rng.choice(STRINGS)
        if typ is Boolean:
            return rng.random() < 0.5
        if typ is Bytes:
            return bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 7, 40, 200])))
        for t, bits in ((Int8, 8), (Int16, 16), (Int32, 32), (Int64, 64)):
            if typ is t:
                lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
                return rng.choice([0, -1, 1, lo, hi, rng.randint(lo, hi), rng.randint(0, min(hi, 1000))])
        raise TypeError("unhandled kafka-python type %r at %s" % (typ, path))

    def records(self):
        """A record batch in the message format the API version implies."""
        rng = self.rng
        api = self.schema_name
        v = self.version
        if api.startswith("Produce"):
            magic = 0 if v <= 1 else 1 if v == 2 else 2
        else:
            magic = 0 if v <= 1 else 1 if v <= 3 else 2
        builder = MemoryRecordsBuilder(magic=magic, compression_type=rng.choice([0, 1]),
                                       batch_size=1 << 20)
        for i in range(rng.choice([1, 2, 4])):
            headers = [("h", b"v"), ("ключ", b"\x00\xff")] if magic == 2 and i % 2 else []
            builder.append(timestamp=1700000000000 + i, key=None if i % 2 else b"key-%d" % i,
                           value=rng.choice([None, b"", "значение".encode(), bytes(range(64))]),
                           headers=headers)
        builder.close()
        return builder.buffer()

    def consumer_metadata(self):
        return ConsumerProtocolMemberMetadata.encode(
            (0, [self.rng.choice(STRINGS) for _ in range(2)], b"user"))

    def consumer_assignment(self):
        return ConsumerProtocolMemberAssignment.encode(
            (0, [("orders", [0, 2]), ("topic-ü", [1])], b""))


def vectors():
    """Yields (SchemaName, version, body bytes)."""
    for api, requests, responses in APIS:
        for direction, classes in (("Request", requests), ("Response", responses)):
            schema_name = api + direction
            for cls in classes:
                # kafka-python's ListGroupsRequest list repeats a class; here each list
                # index is its version, but trust the class attribute.
                version = cls.API_VERSION
                rng = random.Random("%s/%d" % (schema_name, version))
                gen = generator(rng, schema_name, version)
                fixed = corrected(schema_name, version, cls.SCHEMA)
                seen = set()  # identical bodies (an empty schema) are checked once
                for i in range(INSTANCES_PER_VERSION):
                    gen.empty = (i == 0)
                    values = gen.value(fixed or cls.SCHEMA, "")
                    if fixed:
                        body = fixed.encode(values)
                    else:
                        message = cls(*values)  # keep a reference: encode() holds a weakref
                        body = message.encode()
                    if body not in seen:
                        seen.add(body)
                        yield schema_name, version, body


def main():
    out = sys.stdout
    for schema_name, version, body in vectors():
        out.write("%s %s %d %s\n" % (SOURCE, schema_name, version, body.hex() or "-"))


if __name__ == "__main__":
    main()
