# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# An Eddy that a scenario starts itself, so it can stop, kill and restart it on the same data directory.
"""compat/run exports $COMPAT_BROKER_BIN (the Eddy binary it started) to every scenario; a scenario that
must restart the broker starts a second Eddy from it on its own port and data directory, and leaves the
harness's broker alone. Without a binary (the mock cluster, --bootstrap) such a scenario is skipped.
run() is such a scenario's main(): the skip, the broker's start and stop, and the report.
"""

import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time

import expect

SKIP_EXIT_CODE = 77


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

    def __init__(self, binary_path, data_dir, log_path, advertised_port=None, soft_open_files=None, overrides=None):
        """advertised_port: the port clients are told to use, when a proxy stands in front of the broker.
        soft_open_files: the soft RLIMIT_NOFILE Eddy starts with (the hard limit stays), as a shell may set it.
        overrides: more server.properties keys and values, passed as --override."""
        self.binary, self.data_dir, self.port = binary_path, data_dir, free_port()
        self.soft_open_files = soft_open_files
        self.overrides = dict(overrides or {})
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.advertised = f"127.0.0.1:{advertised_port or self.port}"
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
             "--override", f"advertised.listeners=PLAINTEXT://{self.advertised}",
             "--override", f"log.dirs={self.data_dir}", "--override", "node.id=1"]
            + [arg for k, v in self.overrides.items() for arg in ("--override", f"{k}={v}")],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=self._limits)
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

    def _limits(self):
        """Runs in the child before exec."""
        if self.soft_open_files is not None:
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.soft_open_files, hard))

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

    def resident_kib(self):
        """The running broker's resident set size (VmRSS) in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc/<pid>/status")

    def log_tail(self, lines=30):
        if not self.log.closed:
            self.log.flush()
        with open(self.log.name, "r", errors="replace") as f:
            return "".join(f.readlines()[-lines:])


def run(what, check, body, advertised_port=None, soft_open_files=None, overrides=None):
    """Runs body(eddy) against an OwnEddy in $COMPAT_SCRATCH and reports to compat/run; never returns.

    SKIP ("<what> needs an Eddy binary") without a binary. An exception from body becomes one FAIL line
    (with check's problems); on any failure the tail of the broker's log goes to stderr; otherwise
    check.finish() reports. The broker is stopped whatever happens, SIGTERM from compat/run included.
    """
    path = binary()
    if not path:
        print(f"SKIP: {what} needs an Eddy binary ($COMPAT_BROKER_BIN, set by compat/run when it starts Eddy)")
        sys.exit(SKIP_EXIT_CODE)
    scratch = os.environ.get("COMPAT_SCRATCH") or tempfile.mkdtemp(prefix="compat-own-broker-")  # by hand: kept
    eddy = OwnEddy(path, os.path.join(scratch, "data"), os.path.join(scratch, "broker.log"), advertised_port,
                   soft_open_files, overrides)

    def print_log_tail():
        print(f"--- last lines of the broker log\n{eddy.log_tail()}", file=sys.stderr)

    # compat/run stops a scenario with SIGTERM; unwind through finally so this Eddy (and what body started) stops too.
    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    try:
        eddy.start()
        body(eddy)
    except Exception as e:  # a client's exception too: one FAIL line for compat/run to quote
        print_log_tail()
        expect.fail("; ".join([f"{type(e).__name__}: {e}"] + check.problems))
    except BaseException as e:  # expect.fail() in body (SystemExit), or SIGTERM
        if not (isinstance(e, SystemExit) and e.code in (0, None)):
            print_log_tail()
        raise
    finally:
        eddy.close()
    if check.problems:
        print_log_tail()
    check.finish()
