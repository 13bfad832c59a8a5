# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# An Eddy that a scenario starts itself, so it can stop, kill and restart it on the same data directory.
"""compat/run exports $COMPAT_BROKER_BIN (the Eddy binary it started) to every scenario; a scenario that
must restart the broker starts a second Eddy from it on its own port and data directory, and leaves the
harness's broker alone. Without a binary (the mock cluster, --bootstrap) such a scenario is skipped.
"""

import os
import socket
import subprocess
import time


def binary():
    """The Eddy binary from $COMPAT_BROKER_BIN or $EDDY_BIN, or None."""
    path = os.environ.get("COMPAT_BROKER_BIN") or os.environ.get("EDDY_BIN")
    return os.path.abspath(path) if path and os.access(path, os.X_OK) else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnEddy:
    """One Eddy process at a time on a fixed port and data directory; its output is appended to log_path."""

    def __init__(self, binary_path, data_dir, log_path):
        self.binary, self.data_dir, self.port = binary_path, data_dir, free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.log = open(log_path, "ab")
        self.proc = None
        self.starts = 0

    def start(self, deadline=60):
        self.starts += 1
        self.log.write(f"\n=== start #{self.starts}\n".encode())
        self.log.flush()
        # Same process group as the scenario: when compat/run kills the scenario's group, Eddy goes too.
        self.proc = subprocess.Popen(
            [self.binary, "--override", f"listeners=PLAINTEXT://{self.bootstrap}",
             "--override", f"advertised.listeners=PLAINTEXT://{self.bootstrap}",
             "--override", f"log.dirs={self.data_dir}", "--override", "node.id=1"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"eddy exited with status {self.proc.returncode} while starting (start #{self.starts})")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"eddy did not accept connections within {deadline} s (start #{self.starts})")

    def stop(self, kill=False):
        """SIGTERM (a clean shutdown) or SIGKILL; waits for the process to end."""
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("eddy did not stop within 30 s of SIGTERM")

    def restart(self, kill=False):
        self.stop(kill)
        self.start()

    def close(self):
        try:
            self.stop()
        finally:
            self.log.close()

    def log_tail(self, lines=30):
        if not self.log.closed:
            self.log.flush()
        with open(self.log.name, "r", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
