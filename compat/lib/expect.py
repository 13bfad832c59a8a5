# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# What a Python scenario should see, read from the environment compat/run sets (see compat/README.md).
import os
import sys


def bootstrap():
    """The broker address: first argument, else $COMPAT_BOOTSTRAP."""
    if len(sys.argv) > 1:
        return sys.argv[1]
    if os.environ.get("COMPAT_BOOTSTRAP"):
        return os.environ["COMPAT_BOOTSTRAP"]
    fail("usage: scenario BOOTSTRAP (or set COMPAT_BOOTSTRAP)")


def expected_brokers():
    """[(node_id, host, port)] from $COMPAT_EXPECT_BROKERS ("id@host:port,..."), default 1@bootstrap."""
    spec = os.environ.get("COMPAT_EXPECT_BROKERS") or f"1@{bootstrap()}"
    brokers = []
    for item in spec.split(","):
        node_id, address = item.split("@", 1)
        host, port = address.rsplit(":", 1)
        brokers.append((int(node_id), host, int(port)))
    return sorted(brokers)


def expected_controller():
    """The controller id to check, or None when $COMPAT_EXPECT_CONTROLLER is empty."""
    value = os.environ.get("COMPAT_EXPECT_CONTROLLER", "1")
    return int(value) if value != "" else None


class checker:
    """Collects mismatches so one run reports all of them."""

    def __init__(self):
        self.problems = []

    def equal(self, what, seen, expected):
        if seen != expected:
            self.problems.append(f"{what}: saw {seen!r}, expected {expected!r}")

    def true(self, what, condition):
        if not condition:
            self.problems.append(what)

    def brokers(self, seen):
        """seen: iterable of (node_id, host, port)."""
        self.equal("brokers", sorted(seen), expected_brokers())

    def controller(self, seen):
        expected = expected_controller()
        if expected is not None:
            self.equal("controller id", seen, expected)

    def cluster_id(self, seen):
        self.true(f"cluster id should be a non-empty string, saw {seen!r}", isinstance(seen, str) and seen != "")

    def finish(self):
        if self.problems:
            fail("; ".join(self.problems))
        print("ok")
        sys.exit(0)


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)
