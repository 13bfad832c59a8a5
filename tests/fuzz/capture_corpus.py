#!/usr/bin/python3
# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""Records real clients' request frames for the fuzzer's checked-in corpus.

Runs a stand-in broker on 127.0.0.1 that answers just enough for a client to produce:
ApiVersions (advertising ApiVersions 0-3, Metadata 1, Produce 2-7), Metadata v1 (every
topic has partition 0 led by this node) and Produce v2-7. Every request frame it receives
is written, size prefix included, to OUT_DIR/<client>-<n>-<api>-v<version>.bin. Then it
runs kcat (producing with each compression codec) and kafka-python against itself.

    tests/fuzz/capture_corpus.py tests/fuzz/corpus
"""

import os
import socket
import struct
import subprocess
import sys
import threading

API_NAMES = {0: "Produce", 3: "Metadata", 18: "ApiVersions"}
# Fetch is advertised (never served) because librdkafka writes magic-2 record batches, and
# zstd, only to brokers whose Fetch is new enough for consumers to read them.
ADVERTISED = [(18, 0, 3), (3, 1, 1), (0, 2, 7), (1, 4, 10)]


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode()


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def string(s):
    b = s.encode()
    return i16(len(b)) + b


def api_versions_response(version):
    if version >= 3:
        body = i16(0) + bytes([len(ADVERTISED) + 1])
        for key, lo, hi in ADVERTISED:
            body += i16(key) + i16(lo) + i16(hi) + b"\x00"
        return body + i32(0) + b"\x00"
    body = i16(0) + i32(len(ADVERTISED))
    for key, lo, hi in ADVERTISED:
        body += i16(key) + i16(lo) + i16(hi)
    return body + (i32(0) if version >= 1 else b"")


def metadata_v1_response(r, port):
    count = r.i32()
    topics = [r.string() for _ in range(count)] if count > 0 else ["orders"]
    body = i32(1) + i32(1) + string("127.0.0.1") + i32(port) + i16(-1)  # one broker, no rack
    body += i32(1) + i32(len(topics))  # controller id
    for name in topics:
        body += i16(0) + string(name) + b"\x00" + i32(1)
        body += i16(0) + i32(0) + i32(1) + i32(1) + i32(1) + i32(1) + i32(1)
    return body


def produce_response(r, version):
    if version >= 3:
        r.string()  # transactional id
    acks = r.i16()
    r.i32()
    body = b""
    topics = r.i32()
    body += i32(topics)
    for _ in range(topics):
        name = r.string()
        partitions = r.i32()
        body += string(name) + i32(partitions)
        for _ in range(partitions):
            index = r.i32()
            r.take(max(r.i32(), 0))
            body += i32(index) + i16(0) + i64(0) + i64(-1) + (i64(0) if version >= 5 else b"")
    return None if acks == 0 else body + i32(0)


class StandIn:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.client = "client"
        self.count = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def recv_exactly(self, conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def serve(self, conn):
        try:
            while True:
                size = struct.unpack(">i", self.recv_exactly(conn, 4))[0]
                body = self.recv_exactly(conn, size)
                r = Reader(body)
                key, version, correlation = r.i16(), r.i16(), r.i32()
                self.save(key, version, i32(size) + body)
                r.string()  # client id
                if key == 18:
                    return_body = api_versions_response(version)
                elif key == 3:
                    return_body = metadata_v1_response(r, self.port)
                elif key == 0:
                    return_body = produce_response(r, version)
                else:
                    return
                if return_body is not None:
                    payload = i32(correlation) + return_body
                    conn.sendall(i32(len(payload)) + payload)
        except (EOFError, ConnectionResetError, BrokenPipeError):
            pass
        finally:
            conn.close()

    def save(self, key, version, frame):
        with self.lock:
            self.count += 1
            name = f"{self.client}-{self.count:02d}-{API_NAMES.get(key, key)}-v{version}.bin"
            with open(os.path.join(self.out_dir, name), "wb") as f:
                f.write(frame)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    broker = StandIn(out_dir)
    bootstrap = f"127.0.0.1:{broker.port}"

    broker.client = "kcat-metadata"
    subprocess.run(["kcat", "-b", bootstrap, "-L"], check=True, stdout=subprocess.DEVNULL, timeout=60)
    for codec in ("none", "gzip", "snappy", "lz4", "zstd"):
        broker.client = f"kcat-produce-{codec}"
        subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", "orders", "-z", codec,
                        "-K", ":"],
                       input=b"k1:first order\nk2:second order\nk3:" + b"x" * 200 + b"\n",
                       check=True, timeout=60)

    broker.client = "kafka-python"
    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=bootstrap, api_version_auto_timeout_ms=10000)
    producer.send("orders", key=b"k", value=b"hello from kafka-python").get(timeout=30)
    producer.close()
    print(f"captured {broker.count} frames into {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
