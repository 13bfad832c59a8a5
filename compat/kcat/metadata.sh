#!/usr/bin/env bash
# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kcat: bootstrap, negotiate versions and list brokers (kcat -L, plain and JSON).
set -euo pipefail
bootstrap=${1:-${COMPAT_BOOTSTRAP:?usage: metadata.sh BOOTSTRAP}}
expected_brokers=${COMPAT_EXPECT_BROKERS:-1@$bootstrap}
expected_controller=${COMPAT_EXPECT_CONTROLLER-1}
problems=()
debug=()
if [ -n "${COMPAT_DEBUG:-}" ]; then debug=(-d "protocol,broker"); fi
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

# Runs kcat with the given arguments; its stderr is passed on, and a failure names kcat's last error.
run_kcat() {
  local status=0
  kcat "${debug[@]}" -b "$bootstrap" "$@" 2>"$errors" || status=$?
  cat "$errors" >&2
  if [ $status -ne 0 ]; then
    echo "FAIL: kcat $*: exit $status: $(grep -v '^%7' "$errors" | tail -n 1)" >&2
    exit 1
  fi
}

kcat -V 2>&1 | grep -i version || true
plain=$(run_kcat -L -m 30)
echo "$plain"
# "  broker 1 at 127.0.0.1:9092" (a " (controller)" suffix appears in some versions)
seen=$(sed -n 's/^ *broker \([0-9-]*\) at \([^ ]*\).*/\1@\2/p' <<<"$plain" | sort | paste -sd, -)
wanted=$(tr , '\n' <<<"$expected_brokers" | sort | paste -sd, -)
[ "$seen" = "$wanted" ] || problems+=("brokers: saw '$seen', expected '$wanted'")

json=$(run_kcat -L -J -m 30)
echo "$json"
controller=$(grep -o '"controllerid":-\?[0-9]*' <<<"$json" | cut -d: -f2)
if [ -n "$expected_controller" ] && [ "$controller" != "$expected_controller" ]; then
  problems+=("controller id: saw '$controller', expected '$expected_controller'")
fi

if [ ${#problems[@]} -gt 0 ]; then
  (IFS=';'; echo "FAIL: ${problems[*]}" >&2); exit 1
fi
echo ok
