#!/usr/bin/env bash
# Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
# kcat: start consuming at a timestamp (-o s@TS, a ListOffsets by timestamp) and check where it starts.
#
# kcat stamps records with the time of producing, so the timestamps are read back first (-J) and the
# expected offset of each lookup is computed from them: the earliest offset whose timestamp is >= the
# one asked for (Kafka's rule). The topic is created with confluent-kafka-python's AdminClient.
set -euo pipefail
bootstrap=${1:-${COMPAT_BOOTSTRAP:?usage: offsets_for_times.sh BOOTSTRAP}}
topic=compat-oft-kcat-${COMPAT_RUN_ID:-manual}
kind=${COMPAT_BROKER_KIND:-external}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debug=()
if [ -n "${COMPAT_DEBUG:-}" ]; then debug=(-d "protocol,broker,topic"); fi
py=/usr/bin/python3
count=100

run_kcat() {
  local status=0
  kcat "${debug[@]}" -b "$bootstrap" "$@" 2>"$work/errors" || status=$?
  cat "$work/errors" >&2
  if [ $status -ne 0 ]; then
    echo "FAIL: kcat $*: exit $status: $(grep -v '^%7' "$work/errors" | tail -n 1)" >&2
    exit 1
  fi
}

if [ "$kind" = mock ]; then
  run_kcat -L -t "$topic" >/dev/null  # the mock has no CreateTopics; it auto-creates
else
  "$py" - "$bootstrap" "$topic" <<'EOF'
import sys
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, topic = sys.argv[1:]
admin = AdminClient({"bootstrap.servers": bootstrap})  # kept alive until the answer arrives
try:
    admin.create_topics([NewTopic(topic, 3, 1)], request_timeout=30)[topic].result(60)
except KafkaException as e:
    print(f"FAIL: CreateTopics: {e}", file=sys.stderr)
    sys.exit(1)
EOF
fi

problems=()
for p in 0 1 2; do
  # Ten runs of ten records: the runs are far enough apart in time to give distinct timestamps.
  for ((run = 0; run < count / 10; run++)); do
    for ((j = run * 10; j < run * 10 + 10; j++)); do echo "t-$p-$j:time $p $j"; done >"$work/in"
    run_kcat -P -t "$topic" -p "$p" -K : -X acks=all -X message.timeout.ms=30000 -l "$work/in"
  done
  run_kcat -C -t "$topic" -p "$p" -o beginning -e -J >"$work/all.$p"
  # Lookups: before the first, the first, the middle record's, one past the middle, the last, past the last.
  read -r -a lookups < <("$py" -c '
import json, sys
ts = [json.loads(l)["ts"] for l in open(sys.argv[1])]
print(ts[0] - 1, ts[0], ts[len(ts) // 2], ts[len(ts) // 2] + 1, ts[-1], ts[-1] + 1)' "$work/all.$p")
  for ts in "${lookups[@]}"; do
    run_kcat -C -t "$topic" -p "$p" -o "s@$ts" -c 1 -e -J >"$work/got"
    result=$("$py" -c '
import json, sys
ts = int(sys.argv[2])
recs = [json.loads(l) for l in open(sys.argv[1])]
want = next((r["offset"] for r in recs if r["ts"] >= ts), None)
got = [json.loads(l)["offset"] for l in open(sys.argv[3])]
got = got[0] if got else None
print(f"{got} {want}")' "$work/all.$p" "$ts" "$work/got")
    read -r got want <<<"$result"
    echo "partition $p: -o s@$ts starts at offset $got (expected $want)"
    [ "$got" = "$want" ] || problems+=("partition $p timestamp $ts: started at offset $got, expected $want")
  done
done

if [ ${#problems[@]} -gt 0 ]; then
  if [ "$kind" = mock ]; then
    echo "SKIP: librdkafka 2.0's mock cluster does not look offsets up by timestamp (${problems[0]})"
    exit 77
  fi
  (IFS=';'; echo "FAIL: ${problems[*]}" >&2); exit 1
fi
echo ok
