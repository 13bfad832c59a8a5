#!/usr/bin/env bash
# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kcat: produce 10,000 keyed records per codec (-P -z CODEC -K: -H), read every partition back (-C -e -J) and compare.
#
# The records are those of compat/lib/records.py, except what kcat cannot set per record: its -H headers
# apply to a whole run (so each record carries just codec=<codec>), and it stamps records with the time of
# producing (so the check is CreateTime within the run's wall-clock span). kcat has no admin commands, so
# the topic is created and deleted with confluent-kafka-python's AdminClient (the mock cluster auto-creates).
set -euo pipefail
bootstrap=${1:-${COMPAT_BOOTSTRAP:?usage: produce_consume.sh BOOTSTRAP}}
topic=compat-pc-kcat-${COMPAT_RUN_ID:-manual}
kind=${COMPAT_BROKER_KIND:-external}
lib=$(cd "$(dirname "$0")/../lib" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debug=()
if [ -n "${COMPAT_DEBUG:-}" ]; then debug=(-d "protocol,broker,topic,msg"); fi
py=/usr/bin/python3
export COMPAT_LIB=$lib

# Runs kcat; on failure names its last error line.
run_kcat() {
  local status=0
  kcat "${debug[@]}" -b "$bootstrap" "$@" 2>"$work/errors" || status=$?
  cat "$work/errors" >&2
  if [ $status -ne 0 ]; then
    echo "FAIL: kcat $*: exit $status: $(grep -v '^%7' "$work/errors" | tail -n 1)" >&2
    exit 1
  fi
}

# admin create|delete: topic administration through confluent-kafka-python (kcat has none).
admin() {
  "$py" - "$1" "$bootstrap" "$topic" <<'EOF'
import os, sys
sys.path.insert(0, os.environ["COMPAT_LIB"])
import records
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic
action, bootstrap, topic = sys.argv[1:]
admin = AdminClient({"bootstrap.servers": bootstrap})
try:
    if action == "create":
        admin.create_topics([NewTopic(topic, records.PARTITIONS, 1)], request_timeout=30)[topic].result(60)
    else:
        admin.delete_topics([topic], request_timeout=30)[topic].result(60)
    print(f"{action}d {topic}")
except KafkaException as e:
    if action == "create":
        print(f"FAIL: CreateTopics: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"DeleteTopics: {e} (not checked here)")
EOF
}

if [ "$kind" = mock ]; then
  echo "mock cluster: relying on auto-creation (it has no CreateTopics)"
  run_kcat -L -t "$topic" >/dev/null
else
  admin create
fi

codecs=$("$py" -c 'import os, sys; sys.path.insert(0, os.environ["COMPAT_LIB"]); import records; print(" ".join(records.CODECS))')
: >"$work/spans"
for codec in $codecs; do
  for p in 0 1 2; do
    "$py" - "$codec" "$p" >"$work/in" <<'EOF'
import os, sys
sys.path.insert(0, os.environ["COMPAT_LIB"])
import records
codec, p = sys.argv[1], int(sys.argv[2])
for r in records.records(codec, 0):
    if r.partition == p:
        print(f"{r.key.decode()}:{r.value.decode()}")
EOF
    before=$("$py" -c 'import time; print(int(time.time() * 1000))')
    run_kcat -P -t "$topic" -p "$p" -z "$codec" -K : -H "codec=$codec" -X acks=all -X message.timeout.ms=30000 -l "$work/in"
    after=$("$py" -c 'import time; print(int(time.time() * 1000))')
    echo "$codec $p $before $after" >>"$work/spans"
  done
  echo "produced 10000 records with -z $codec"
done

partitions=$(run_kcat -L -t "$topic" -J | "$py" -c 'import json, sys; print(len(json.load(sys.stdin)["topics"][0]["partitions"]))')
echo "$topic has $partitions partitions"
for ((p = 0; p < partitions; p++)); do
  run_kcat -C -t "$topic" -p "$p" -o beginning -e -J -X check.crcs=true >"$work/out.$p"
  echo "partition $p: $(wc -l <"$work/out.$p") records"
done

"$py" - "$work" "$partitions" <<'EOF'
import json, os, sys
sys.path.insert(0, os.environ["COMPAT_LIB"])
import records
work, partitions = sys.argv[1], int(sys.argv[2])
spans = {}
for line in open(os.path.join(work, "spans")):
    codec, p, before, after = line.split()
    spans[(codec, int(p))] = (int(before), int(after))
consumed, problems = {}, []
for p in range(partitions):
    seen = consumed.setdefault(p, [])
    for line in open(os.path.join(work, f"out.{p}")):
        m = json.loads(line)
        if m.get("tstype") != "create":
            problems.append(f"partition {p} offset {m['offset']}: timestamp type {m.get('tstype')}")
        h = m.get("headers") or []
        headers = [(h[k], h[k + 1].encode()) for k in range(0, len(h), 2)]
        seen.append((m["offset"], m["key"].encode(), m["payload"].encode(), headers, m["ts"]))
# kcat sets one header per run and stamps the time of producing: expect those instead.
expected = {}
for codec in records.CODECS:
    for r in records.records(codec, 0):
        r.headers = [("codec", codec.encode())]
        r.timestamp = spans[(codec, r.partition)]
        expected.setdefault(r.partition, []).append(r)
within = lambda span, ts: span[0] <= ts <= span[1]
problems = problems[:5] + records.Comparison(expected, check_timestamp=within).problems(consumed)
if problems:
    print("FAIL: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
EOF

if [ "$kind" != mock ]; then admin delete; fi  # the mock has no DeleteTopics
echo ok
