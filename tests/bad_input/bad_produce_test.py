#!/usr/bin/python3
# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""Black-box test: damaged record batches produced to a running `eddy` process.

Starts the broker on a free 127.0.0.1 port, creates a one-partition topic, produces one
good batch, then batches with a wrong CRC, a lying batch length, an absurd record count
and truncated gzip and zstd payloads (each with a correct CRC where the damage is inside
it). Each must get the error Kafka's LogValidator gives, nothing may be written (the log end
offset stays where the good batch left it), and the broker must go on serving: last good
batches, uncompressed and zstd, land at the next offsets and SIGTERM still exits 0.

The broker runs with its default eddy.produce.batch.validation=relaxed, which judges a zstd
batch by its framing without decompressing it. A second broker with `strict` shows the one
damage only decompression finds (records out of order inside a whole zstd stream): relaxed
stores it, strict answers INVALID_RECORD as Kafka does.

    bad_produce_test.py --broker PATH
"""

import argparse
import gzip
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bad_input_test import (TestFailure, check, connect, frame, header_v1, i16, i32, read_response,  # noqa: E402
                            run_with_broker, string)

PRODUCE, LIST_OFFSETS, CREATE_TOPICS = 0, 2, 19
NONE, CORRUPT_MESSAGE, UNKNOWN_SERVER_ERROR, INVALID_RECORD = 0, 2, -1, 87
TOPIC = "bad-produce"


def crc32c(data):
    table = crc32c.table
    if table is None:
        table = crc32c.table = []
        for n in range(256):
            c = n
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            table.append(c)
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


crc32c.table = None


def zigzag(v):
    v = (v << 1) ^ (v >> 63)
    out = bytearray()
    while True:
        byte = v & 0x7F
        v >>= 7
        if v:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def record(offset_delta, key, value):
    body = (b"\x00" + zigzag(0) + zigzag(offset_delta) + zigzag(len(key)) + key
            + zigzag(len(value)) + value + zigzag(0))
    return zigzag(len(body)) + body


def batch(records_bytes, count, attributes=0, length_adjust=0, corrupt_crc=False):
    """A magic-2 batch (src/record/batch_format.md) with a correct CRC-32C unless told."""
    timestamp = 1_700_000_000_000
    after_crc = (struct.pack(">hiqqqhii", attributes, count - 1, timestamp, timestamp, -1, -1, -1, count)
                 + records_bytes)
    crc = crc32c(after_crc) ^ (0xFFFFFFFF if corrupt_crc else 0)
    after_length = struct.pack(">ibI", 0, 2, crc) + after_crc
    return struct.pack(">qi", 0, len(after_length) + length_adjust) + after_length


def good_records(n=3):
    return b"".join(record(i, b"k%d" % i, b"value %d" % i) for i in range(n))


def good_batch(n=3):
    return batch(good_records(n), n)


ZSTD = 4  # the compression bits of a batch's attributes


def zstd_stored(data):
    """One zstd frame holding `data` as a single raw block: zstd's framing, no compressor.
    Frame header: magic, a descriptor for a single-segment frame with a 4-byte content
    size, that size; then the block header (last block, raw, its length) and the bytes."""
    block = (len(data) << 3) | 1
    return (b"\x28\xb5\x2f\xfd" + bytes([0xA0]) + struct.pack("<I", len(data))
            + struct.pack("<I", block)[:3] + data)


class Client:
    def __init__(self, port):
        self.sock = connect(port)
        self.correlation_id = 0

    def call(self, api_key, version, body):
        self.correlation_id += 1
        self.sock.sendall(frame(header_v1(api_key, version, self.correlation_id) + body))
        response = read_response(self.sock)
        check(struct.unpack(">i", response[:4])[0] == self.correlation_id, "correlation id mismatch")
        return Cursor(response[4:])

    def create_topic(self):
        body = (i32(1) + string(TOPIC) + i32(1) + i16(1) + i32(0) + i32(0)  # one topic, no assignments/configs
                + i32(30000) + b"\x00")
        r = self.call(CREATE_TOPICS, 2, body)
        r.i32()  # throttle
        check(r.i32() == 1, "CreateTopics: one topic expected")
        r.string()
        error = r.i16()
        check(error == NONE, f"CreateTopics error {error}")

    def produce(self, records):
        """Produce v7 with acks=-1; returns (error_code, base_offset)."""
        body = (i16(-1) + i16(-1) + i32(30000) + i32(1) + string(TOPIC) + i32(1) + i32(0)
                + i32(len(records)) + records)
        r = self.call(PRODUCE, 7, body)
        check(r.i32() == 1, "Produce: one topic expected")
        r.string()
        check(r.i32() == 1, "Produce: one partition expected")
        r.i32()
        error, base_offset = r.i16(), r.i64()
        return error, base_offset

    def log_end_offset(self):
        body = i32(-1) + i32(1) + string(TOPIC) + i32(1) + i32(0) + struct.pack(">q", -1)
        r = self.call(LIST_OFFSETS, 1, body)
        check(r.i32() == 1, "ListOffsets: one topic expected")
        r.string()
        check(r.i32() == 1, "ListOffsets: one partition expected")
        r.i32()
        error = r.i16()
        check(error == NONE, f"ListOffsets error {error}")
        r.i64()
        return r.i64()


class Cursor:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        value = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def i16(self):
        return self.take(">h")

    def i32(self):
        return self.take(">i")

    def i64(self):
        return self.take(">q")

    def string(self):
        n = self.i16()
        s = self.data[self.pos:self.pos + max(n, 0)]
        self.pos += max(n, 0)
        return s


def damaged_batches():
    """(what, batch bytes, the error Kafka answers)."""
    good = good_batch()
    one_record = record(0, b"k", b"v")
    gzipped = gzip.compress(b"".join(record(i, b"k", b"v" * 100) for i in range(10)))
    return [
        ("a wrong CRC", batch(one_record, 1, corrupt_crc=True), CORRUPT_MESSAGE),
        # Kafka's batch iterator finds no whole batch, so ProduceRequest.validateRecords refuses
        # the partition for having none.
        ("a batch length beyond the records", good[:8] + struct.pack(">i", len(good) + 100) + good[12:],
         INVALID_RECORD),
        ("a batch length short of the records", batch(one_record, 1, length_adjust=-3), CORRUPT_MESSAGE),
        # The CRC covers the count, so the damage is consistent: only the record walk finds it.
        ("an absurd record count", batch(one_record, 2_000_000_000), INVALID_RECORD),
        ("more records than counted", batch(one_record + one_record, 1), INVALID_RECORD),
        # Kafka fails to decompress and answers with an unknown server error.
        ("a truncated gzip payload", batch(gzipped[:len(gzipped) // 2], 10, attributes=1), UNKNOWN_SERVER_ERROR),
        # Relaxed validation finds both from the zstd framing alone.
        ("a truncated zstd payload", batch(zstd_stored(good_records(10))[:60], 10, attributes=ZSTD),
         UNKNOWN_SERVER_ERROR),
        ("an absurd record count in a zstd batch", batch(zstd_stored(one_record), 2_000_000_000, attributes=ZSTD),
         INVALID_RECORD),
    ]


def records_out_of_order():
    """A whole zstd stream whose records' offset deltas run 0, 2, 1."""
    return batch(zstd_stored(record(0, b"a", b"1") + record(2, b"b", b"2") + record(1, b"c", b"3")), 3,
                 attributes=ZSTD)


def produce_damaged_batches(broker):
    client = Client(broker.port)
    client.create_topic()
    error, base = client.produce(good_batch())
    check(error == NONE and base == 0, f"good batch: error {error}, base offset {base}")
    end = client.log_end_offset()
    check(end == 3, f"log end offset {end} after 3 records")
    for what, records, expected in damaged_batches():
        error, _ = client.produce(records)
        check(error == expected, f"{what}: error {error}, Kafka answers {expected}")
        after = client.log_end_offset()
        check(after == end, f"{what}: log end offset moved from {end} to {after}")
        print(f"ok: {what} -> error {error}, nothing written")
    error, base = client.produce(good_batch())
    check(error == NONE and base == end, f"good batch after the bad ones: error {error}, base {base}")
    error, base = client.produce(batch(zstd_stored(good_records()), 3, attributes=ZSTD))
    check(error == NONE and base == end + 3, f"good zstd batch: error {error}, base {base}")
    client.sock.close()


def damage_inside_the_stream(expected):
    def body(broker):
        client = Client(broker.port)
        client.create_topic()
        error, _ = client.produce(records_out_of_order())
        check(error == expected, f"records out of order in a zstd batch: error {error}, expected {expected}")
        end = client.log_end_offset()
        check(end == (3 if expected == NONE else 0), f"log end offset {end}")
        print(f"ok: records out of order inside a zstd stream -> error {error}")
        client.sock.close()
    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", required=True, help="path to the eddy binary")
    args = parser.parse_args()
    try:
        run_with_broker(args.broker, [], produce_damaged_batches)
        run_with_broker(args.broker, [], damage_inside_the_stream(NONE))
        run_with_broker(args.broker, ["eddy.produce.batch.validation=strict"], damage_inside_the_stream(INVALID_RECORD))
    except TestFailure as e:
        print(f"FAIL: {e}")
        return 1
    print("PASS bad_produce")
    return 0


if __name__ == "__main__":
    sys.exit(main())
