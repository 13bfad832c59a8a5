#!/usr/bin/python3
# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""Captures record batches written by real clients, as hex files beside this script.

librdkafka (through kcat) produces to a minimal fake broker that answers just
ApiVersions, Metadata and Produce; the records bytes of its Produce request are the
batch. kafka-python's DefaultRecordBatchBuilder builds batches directly (only the
codecs whose Python modules Debian installs). Run once with /usr/bin/python3; the
outputs are committed and read by reference_batches_test.cc.
"""
import os
import socket
import socketserver
import struct
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
TOPIC = b"ref"
MESSAGES = [(f"key-{i}", f"value-{i}-" + "x" * (i * 7)) for i in range(10)]


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def kstring(s):
    return struct.pack(">h", len(s)) + s


class Broker(socketserver.BaseRequestHandler):
    captured = []

    def handle(self):
        port = self.server.server_address[1]
        try:
            while True:
                size = struct.unpack(">i", read_exact(self.request, 4))[0]
                req = read_exact(self.request, size)
                api_key, version, corr = struct.unpack(">hhi", req[:8])
                body = self.answer(api_key, version, req, port)
                frame = struct.pack(">i", corr) + body
                self.request.sendall(struct.pack(">i", len(frame)) + frame)
        except (EOFError, ConnectionError):
            pass

    def answer(self, api_key, version, req, port):
        if api_key == 18:  # ApiVersions v0-v3 (v3+ is flexible: compact array, tags)
            # librdkafka derives MsgVersion 2 and codec support from Produce + Fetch.
            apis = [(0, 0, 7), (1, 0, 11), (2, 0, 5), (3, 1, 4), (10, 0, 2), (18, 0, 3)]
            if version >= 3:
                out = struct.pack(">h", 0) + bytes([len(apis) + 1])
                for k, lo, hi in apis:
                    out += struct.pack(">hhh", k, lo, hi) + b"\x00"
                return out + struct.pack(">i", 0) + b"\x00"
            out = struct.pack(">h", 0) + struct.pack(">i", len(apis))
            for k, lo, hi in apis:
                out += struct.pack(">hhh", k, lo, hi)
            if version >= 1:
                out += struct.pack(">i", 0)
            return out
        if api_key == 3:  # Metadata v1-v4
            out = b""
            if version >= 3:
                out += struct.pack(">i", 0)  # throttle
            out += struct.pack(">i", 1) + struct.pack(">i", 1) + kstring(b"127.0.0.1")
            out += struct.pack(">i", port) + struct.pack(">h", -1)  # rack null
            if version >= 2:
                out += struct.pack(">h", -1)  # cluster id null
            out += struct.pack(">i", 1)  # controller
            out += struct.pack(">i", 1) + struct.pack(">h", 0) + kstring(TOPIC)
            out += b"\x00"  # is_internal
            out += struct.pack(">i", 1) + struct.pack(">hii", 0, 0, 1)
            out += struct.pack(">ii", 1, 1) + struct.pack(">ii", 1, 1)
            return out
        if api_key == 0:  # Produce v3-v7
            pos = 8
            client_len = struct.unpack(">h", req[pos:pos + 2])[0]
            pos += 2 + max(client_len, 0)
            txn_len = struct.unpack(">h", req[pos:pos + 2])[0]
            pos += 2 + max(txn_len, 0)
            pos += 2 + 4  # acks, timeout
            pos += 4  # topic count (1)
            name_len = struct.unpack(">h", req[pos:pos + 2])[0]
            pos += 2 + name_len
            pos += 4  # partition count (1)
            pos += 4  # partition index
            rec_len = struct.unpack(">i", req[pos:pos + 4])[0]
            pos += 4
            Broker.captured.append(req[pos:pos + rec_len])
            out = struct.pack(">i", 1) + kstring(TOPIC) + struct.pack(">i", 1)
            out += struct.pack(">ihqqq", 0, 0, 0, -1, 0)
            out += struct.pack(">i", 0)  # throttle
            return out
        raise EOFError


def capture_librdkafka(codec):
    Broker.captured = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Broker)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    lines = "".join(f"{k}:{v}\n" for k, v in MESSAGES)
    subprocess.run(["kcat", "-P", "-b", f"127.0.0.1:{port}", "-t", TOPIC.decode(), "-p", "0",
                    "-z", codec, "-K:", "-H", "h1=v1", "-X", "linger.ms=200",
                    "-X", "api.version.request=true"],
                   input=lines.encode(), check=True, timeout=60)
    server.shutdown()
    server.server_close()
    assert len(Broker.captured) == 1, f"{codec}: {len(Broker.captured)} produce requests"
    return Broker.captured[0]


def build_kafka_python(codec_id):
    from kafka.record.default_records import DefaultRecordBatchBuilder
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=codec_id, is_transactional=0,
                                        producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                        batch_size=1 << 20)
    for i, (k, v) in enumerate(MESSAGES):
        builder.append(i, timestamp=1_700_000_000_000 + i, key=k.encode(), value=v.encode(),
                       headers=[("h1", b"v1")])
    return bytes(builder.build())


def write(name, data):
    with open(os.path.join(HERE, name), "w") as f:
        hexed = data.hex()
        for i in range(0, len(hexed), 64):
            f.write(hexed[i:i + 64] + "\n")


def main():
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"]:
        write(f"librdkafka-{codec}.hex", capture_librdkafka(codec))
    for codec, codec_id in [("none", 0), ("gzip", 1)]:
        write(f"kafka-python-{codec}.hex", build_kafka_python(codec_id))
    return 0


if __name__ == "__main__":
    sys.exit(main())
