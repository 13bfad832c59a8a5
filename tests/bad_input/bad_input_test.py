#!/usr/bin/python3
# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
"""Black-box tests: malformed requests sent to a running `eddy` process.

Each case starts the broker on a free 127.0.0.1 port with a temporary log.dirs, sends one
kind of bad input, and checks what a client would see: the connection is closed (or gets
the error response Kafka sends), a new connection still gets a valid ApiVersions response,
the process is alive, and SIGTERM stops it with exit code 0.

    bad_input_test.py --broker PATH --case NAME     (--list prints the case names)
"""

import argparse
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading

API_VERSIONS = 18
METADATA = 3
PRODUCE = 0
UNSUPPORTED_VERSION = 35
DEFAULT_MAX_REQUEST_BYTES = 104857600  # Kafka's socket.request.max.bytes default

# Upper bounds that only keep a broken broker from hanging the test; nothing is timed.
STARTUP_LIMIT_S = 60
REPLY_LIMIT_S = 30
SHUTDOWN_LIMIT_S = 60


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


# ---- Kafka wire encoding, just enough to write requests by hand ----

def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def uvarint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def string(s):
    b = s.encode()
    return i16(len(b)) + b


def compact_string(s):
    b = s.encode()
    return uvarint(len(b) + 1) + b


def frame(body):
    return i32(len(body)) + body


def header_v1(api_key, version, correlation_id, client_id="bad-input-test"):
    return i16(api_key) + i16(version) + i32(correlation_id) + string(client_id)


def header_v2(api_key, version, correlation_id, client_id="bad-input-test"):
    return header_v1(api_key, version, correlation_id, client_id) + uvarint(0)


def api_versions_v3(correlation_id, software_name="eddy-bad-input-test"):
    body = compact_string(software_name) + compact_string("1.0") + uvarint(0)
    return frame(header_v2(API_VERSIONS, 3, correlation_id) + body)


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        check(self.pos + n <= len(self.data), "response ends early")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        value, shift = 0, 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7


def parse_api_versions(body, version):
    """Returns (error_code, {api_key: (min, max)}) of an ApiVersions response body."""
    r = Reader(body)
    error_code = r.i16()
    keys = {}
    count = r.uvarint() - 1 if version >= 3 else r.i32()
    for _ in range(max(count, 0)):
        key, lo, hi = r.i16(), r.i16(), r.i16()
        if version >= 3:
            skip_tagged_fields(r)
        keys[key] = (lo, hi)
    return error_code, keys


def skip_tagged_fields(r):
    for _ in range(r.uvarint()):
        r.uvarint()
        r.take(r.uvarint())


# ---- talking to the broker ----

def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=REPLY_LIMIT_S)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exactly(s, n):
    data = bytearray()
    while len(data) < n:
        chunk = s.recv(n - len(data))
        check(chunk, f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return bytes(data)


def read_response(s):
    size = struct.unpack(">i", recv_exactly(s, 4))[0]
    check(0 <= size <= 64 * 1024 * 1024, f"response frame size {size}")
    return recv_exactly(s, size)


def expect_closed(s, what):
    """The broker must close the connection without answering."""
    received = bytearray()
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            received += chunk
    except ConnectionResetError:
        pass
    except socket.timeout:
        raise TestFailure(f"{what}: connection still open after {REPLY_LIMIT_S}s")
    finally:
        s.close()
    check(not received, f"{what}: expected the connection to close, got {len(received)} bytes")


def send_then_expect_closed(port, data, what):
    s = connect(port)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        s.close()
        return  # closed before we finished sending: what we wanted
    expect_closed(s, what)


def expect_api_versions_works(port, correlation_id=4242):
    s = connect(port)
    try:
        s.sendall(api_versions_v3(correlation_id))
        response = read_response(s)
    finally:
        s.close()
    r = Reader(response)
    check(r.i32() == correlation_id, "ApiVersions response carries another correlation id")
    error_code, keys = parse_api_versions(response[4:], 3)
    check(error_code == 0, f"ApiVersions error_code {error_code}")
    check(API_VERSIONS in keys, "ApiVersions response does not list ApiVersions")
    lo, hi = keys[API_VERSIONS]
    check(lo <= 3 <= hi, f"ApiVersions v3 not inside advertised range {lo}..{hi}")


class Broker:
    """One eddy process on a free port with its own log.dirs; output goes to a log file."""

    def __init__(self, binary, overrides=()):
        self.dir = tempfile.mkdtemp(prefix="eddy-bad-input-")
        port = free_port()
        args = [binary,
                "--override", f"listeners=PLAINTEXT://127.0.0.1:{port}",
                "--override", f"log.dirs={os.path.join(self.dir, 'data')}"]
        for o in overrides:
            args += ["--override", o]
        self.log_path = os.path.join(self.dir, "broker.log")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.dir)
        self.ready = threading.Event()
        self.port = None
        self.pump = threading.Thread(target=self._pump_output, daemon=True)
        self.pump.start()
        if not self.ready.wait(STARTUP_LIMIT_S) or self.port is None:
            self.proc.kill()
            self.proc.wait()
            self.pump.join()
            output = self.output()
            shutil.rmtree(self.dir, ignore_errors=True)
            raise TestFailure(f"broker did not report listening (exit {self.proc.returncode}):\n" + output)

    def _pump_output(self):
        pattern = re.compile(rb"eddy: listening on PLAINTEXT://127\.0\.0\.1:(\d+)")
        with open(self.log_path, "wb") as log:
            for line in self.proc.stdout:
                log.write(line)
                log.flush()
                m = pattern.search(line)
                if m and not self.ready.is_set():
                    self.port = int(m.group(1))
                    self.ready.set()
        self.ready.set()

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise TestFailure("no VmRSS in /proc status")

    def check_alive(self):
        check(self.proc.poll() is None, f"broker exited with {self.proc.returncode}:\n" + self.output())

    def stop(self):
        """SIGTERM; the broker must exit 0."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(SHUTDOWN_LIMIT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise TestFailure(f"broker ignored SIGTERM for {SHUTDOWN_LIMIT_S}s")
        self.pump.join()
        check(self.proc.returncode == 0,
              f"broker exited with {self.proc.returncode} after SIGTERM:\n" + self.output()[-4000:])

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the cases ----

def case_garbage_bytes(b):
    # An HTTP request: its first four bytes read as a frame size of about 1.2 GB.
    send_then_expect_closed(b.port, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "HTTP request")
    # A frame of the right size holding random bytes (api key 0x9d3f is unknown).
    body = bytes.fromhex("9d3f 7a01 c0ff ee00 1122 3344 5566 7788 99aa bbcc ddee ff01")
    send_then_expect_closed(b.port, frame(body), "random frame body")
    # A frame too short to hold a request header.
    send_then_expect_closed(b.port, frame(b"\x00\x12"), "two-byte frame")


def case_negative_frame_size(b):
    send_then_expect_closed(b.port, i32(-1) + b"\x00" * 16, "frame size -1")
    send_then_expect_closed(b.port, i32(-2147483648), "frame size INT32_MIN")


def case_oversized_frame_size(b):
    # Only the size is sent: the broker must refuse it without waiting for the body.
    send_then_expect_closed(b.port, i32(DEFAULT_MAX_REQUEST_BYTES + 1), "frame one byte over the limit")
    send_then_expect_closed(b.port, i32(0x7FFFFFFF), "frame size INT32_MAX")


def case_lowered_max_request_bytes(b):
    send_then_expect_closed(b.port, i32(1001) + b"\x00" * 64, "frame of 1001 bytes over a limit of 1000")
    # A request of exactly the limit is still served.
    base = len(api_versions_v3(1, "")) - 4
    name = "a" * (1000 - base - 1)  # the compact length grows by one byte past 127
    request = api_versions_v3(77, name)
    check(len(request) - 4 == 1000, f"built a {len(request) - 4}-byte request")
    s = connect(b.port)
    try:
        s.sendall(request)
        response = read_response(s)
    finally:
        s.close()
    check(Reader(response).i32() == 77, "wrong correlation id")
    error_code, _ = parse_api_versions(response[4:], 3)
    check(error_code == 0, f"ApiVersions of exactly socket.request.max.bytes got error {error_code}")


def case_truncated_frame_then_close(b):
    for sent in (b"\x00\x00", i32(100), i32(100) + api_versions_v3(1)[4:20]):
        s = connect(b.port)
        s.sendall(sent)
        s.close()
        expect_api_versions_works(b.port)


def case_unknown_api_key(b):
    send_then_expect_closed(b.port, frame(header_v1(32767, 0, 1)), "api key 32767")
    send_then_expect_closed(b.port, frame(header_v1(-5, 0, 1)), "api key -5")


def case_unsupported_version(b):
    # Kafka closes the connection on a version it does not support, except for ApiVersions.
    send_then_expect_closed(b.port, frame(header_v2(METADATA, 999, 1) + uvarint(1) + b"\x00" * 8),
                            "Metadata v999")
    send_then_expect_closed(b.port, frame(header_v1(METADATA, -1, 1) + i32(0)), "Metadata v-1")


def case_unsupported_api_versions_version(b):
    # Kafka answers with a v0 response: error UNSUPPORTED_VERSION and its ApiVersions range.
    body = compact_string("future-client") + compact_string("9.9") + uvarint(0)
    s = connect(b.port)
    try:
        s.sendall(frame(header_v2(API_VERSIONS, 32000, 555) + body))
        response = read_response(s)
    finally:
        s.close()
    r = Reader(response)
    check(r.i32() == 555, "wrong correlation id")
    error_code, keys = parse_api_versions(response[4:], 0)
    check(error_code == UNSUPPORTED_VERSION, f"error_code {error_code}, expected {UNSUPPORTED_VERSION}")
    check(API_VERSIONS in keys, "the v0 error response does not list ApiVersions' own range")


def case_array_length_beyond_frame(b):
    # Metadata v1 (fixed-width counts) with two billion topics in a 20-byte frame.
    send_then_expect_closed(b.port, frame(header_v1(METADATA, 1, 1) + i32(0x7FFFFFFF)),
                            "Metadata v1 topic count 2^31-1")
    # Metadata v12 (compact counts): a varint count of 2^28.
    send_then_expect_closed(b.port, frame(header_v2(METADATA, 12, 2) + uvarint(1 << 28) + b"\x00" * 4),
                            "Metadata v12 topic count 2^28")
    # Produce v3: a record set that claims 10 MB and carries 8 bytes.
    body = (i16(-1) + i16(1) + i32(1000) + i32(1) + string("t") + i32(1) + i32(0)
            + i32(10_000_000) + b"\x00" * 8)
    send_then_expect_closed(b.port, frame(header_v1(PRODUCE, 3, 3) + body), "Produce records length 10 MB")


def case_string_length_beyond_frame(b):
    # client_id claims 32767 bytes and has 3.
    head = i16(METADATA) + i16(1) + i32(1)
    send_then_expect_closed(b.port, frame(head + i16(32767) + b"abc"), "client_id length 32767")
    # A topic name that claims 20000 bytes.
    send_then_expect_closed(b.port, frame(header_v1(METADATA, 1, 2) + i32(1) + i16(20000) + b"orders"),
                            "topic name length 20000")
    # ApiVersions v3 with a compact software name of 2^30 bytes.
    send_then_expect_closed(b.port, frame(header_v2(API_VERSIONS, 3, 3) + uvarint(1 << 30) + b"x"),
                            "software name length 2^30")
    # A string length of -2 (only -1, null, is allowed, and client_id is the one nullable one).
    send_then_expect_closed(b.port, frame(header_v1(METADATA, 1, 4) + i32(1) + i16(-2)),
                            "topic name length -2")


def case_memory_stays_bounded(b):
    expect_api_versions_works(b.port)
    before = b.rss_kib()
    # Frames that claim nearly the whole 100 MB limit and send a few bytes, all open at once.
    held = []
    try:
        for _ in range(16):
            s = connect(b.port)
            s.sendall(i32(DEFAULT_MAX_REQUEST_BYTES) + header_v1(PRODUCE, 3, 1))
            held.append(s)
        expect_api_versions_works(b.port)
        b.check_alive()
        during = b.rss_kib()
    finally:
        for s in held:
            s.close()
    # Many bad frames one after another, each on a new connection.
    bad = [b"GET / HTTP/1.0\r\n\r\n", i32(-1), i32(DEFAULT_MAX_REQUEST_BYTES + 1),
           frame(header_v1(32767, 0, 1)), frame(header_v1(METADATA, 1, 1) + i32(0x7FFFFFFF)),
           frame(header_v2(METADATA, 12, 2) + uvarint(1 << 28)), i32(100_000_000) + b"\x01\x02\x03"]
    for i in range(300):
        s = connect(b.port)
        try:
            s.sendall(bad[i % len(bad)])
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.close()
    expect_api_versions_works(b.port)
    after = b.rss_kib()
    limit_kib = 200 * 1024
    print(f"VmRSS: {before} KiB at start, {during} KiB with 16 frames of 100 MB pending, "
          f"{after} KiB after 300 bad connections")
    check(during - before < limit_kib, f"RSS grew by {(during - before) // 1024} MB while frames were pending")
    check(after - before < limit_kib, f"RSS grew by {(after - before) // 1024} MB after bad input")


CASES = {
    "garbage_bytes": ([], case_garbage_bytes),
    "negative_frame_size": ([], case_negative_frame_size),
    "oversized_frame_size": ([], case_oversized_frame_size),
    "lowered_max_request_bytes": (["socket.request.max.bytes=1000"], case_lowered_max_request_bytes),
    "truncated_frame_then_close": ([], case_truncated_frame_then_close),
    "unknown_api_key": ([], case_unknown_api_key),
    "unsupported_version": ([], case_unsupported_version),
    "unsupported_api_versions_version": ([], case_unsupported_api_versions_version),
    "array_length_beyond_frame": ([], case_array_length_beyond_frame),
    "string_length_beyond_frame": ([], case_string_length_beyond_frame),
    "memory_stays_bounded": ([], case_memory_stays_bounded),
}


def run_case(binary, name):
    overrides, body = CASES[name]
    run_with_broker(binary, overrides, body)


def run_with_broker(binary, overrides, body):
    """body(broker) against a fresh broker; then it must be alive, serve ApiVersions and stop cleanly."""
    broker = Broker(binary, overrides)
    try:
        body(broker)
        broker.check_alive()
        expect_api_versions_works(broker.port)
        broker.stop()
    except Exception:
        print("---- broker output ----\n" + broker.output()[-8000:], file=sys.stderr)
        raise
    finally:
        broker.cleanup()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", help="path to the eddy binary")
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    if not args.broker:
        parser.error("--broker is required")
    failed = 0
    for name in args.case or list(CASES):
        try:
            run_case(args.broker, name)
            print(f"PASS {name}")
        except TestFailure as e:
            print(f"FAIL {name}: {e}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
