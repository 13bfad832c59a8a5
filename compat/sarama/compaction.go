// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Sarama: log compaction (cleanup.policy=compact), as Kafka's log cleaner does it; the Go twin of
// confluent-kafka-python/compaction.py, on one topic of one partition.
//
// The scenario starts its own Eddy from $COMPAT_BROKER_BIN with log.cleaner.backoff.ms=200 (the Go twin of
// lib/own_broker.py, as in groups_recovery.go; compat/setup builds each scenario with common.go only);
// SKIP without an Eddy binary (mock cluster, --bootstrap). The topic has cleanup.policy=compact,
// segment.bytes=20000 and min.cleanable.dirty.ratio=0.01, which DescribeConfigs must show.
//
// Rounds of keyed records (about 100-byte values, explicit CreateTime timestamps, headers on every fourth
// key, one with an empty value and one name twice) go out in requests of at most 20 records, each round
// in its own codec (none, lz4, gzip, snappy, lz4). Round 0 writes every key, later rounds a subset each,
// so the cleaner drops whole batches and keeps part of others, which it must rebuild in their codec.
// After rounds 0 to 2 the scenario waits for the cleaner; then rounds 3 and 4, tombstones (null values)
// for two keys, a round of keys written once (so the tombstones end up in a closed segment) and a few
// old keys again, the last of them in the active segment; then it waits again.
//
// The offsets the producer reported are the records before compaction. Reading the partition from the
// oldest offset to the high watermark is repeated until it returns exactly what Kafka's cleaner leaves
// once every closed segment is cleaned: below the active segment's base offset (the newest <base>.log
// in the partition's directory) only each key's last record, from there on everything. Every read, also
// one made while the cleaner is at work, must satisfy: offsets strictly increasing; each record is the
// one produced at its offset, unchanged (key, value, headers, timestamp); each key's last record is
// there (tombstones as tombstones). A fetch from a removed offset starts at the next record kept, and
// ListOffsets for a removed record's timestamp finds that record too. The oldest offset stays 0, the
// newest where it was. After a restart (SIGTERM) the partition reads the same, and still the same after
// more cleaner passes.
//
// A record without a key is refused with INVALID_RECORD (87; Sarama 1.22.1 has no name for it, it
// knows error codes up to 76) and appends nothing.

package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/Shopify/sarama"
)

const (
	cleanerBackoffMs = 200
	numKeys          = 200
	numFillers       = 200
	segmentBytes     = 20000
	waitCompacted    = 60 * time.Second // for the cleaner; only a broken cleaner reaches it
	readDeadline     = 30 * time.Second // for one read from offset 0 to the end
	errInvalidRecord = sarama.KError(87)
)

type round struct {
	codec   string
	inRound func(i int) bool
}

// A key's last round is 4 (i % 5 == 0), else 3 (odd), else 2 (i % 3 == 0), else 1.
var rounds = []round{{"none", func(i int) bool { return true }}, {"lz4", func(i int) bool { return i%2 == 0 }},
	{"gzip", func(i int) bool { return i%3 == 0 }}, {"snappy", func(i int) bool { return i%2 == 1 }},
	{"lz4", func(i int) bool { return i%5 == 0 }}}
var codecs = map[string]sarama.CompressionCodec{"none": sarama.CompressionNone, "gzip": sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy, "lz4": sarama.CompressionLZ4}

type record struct {
	offset     int64
	key, value []byte // value nil: a tombstone
	headers    []sarama.RecordHeader
	timestamp  int64 // ms
}

func (r record) String() string {
	v := "null"
	if r.value != nil {
		v = fmt.Sprintf("%q", r.value)
	}
	return fmt.Sprintf("{offset %d key %q value %s headers %d ts %d}", r.offset, r.key, v, len(r.headers), r.timestamp)
}

func sameRecord(a, b record) bool {
	if a.offset != b.offset || !bytes.Equal(a.key, b.key) || (a.value == nil) != (b.value == nil) ||
		!bytes.Equal(a.value, b.value) || a.timestamp != b.timestamp || len(a.headers) != len(b.headers) {
		return false
	}
	for i := range a.headers {
		if !bytes.Equal(a.headers[i].Key, b.headers[i].Key) || !bytes.Equal(a.headers[i].Value, b.headers[i].Value) {
			return false
		}
	}
	return true
}

var (
	topic      string
	check      *checker
	broker     *ownEddy
	produced   = map[int64]record{} // offset -> what the producer wrote there
	tombstoned = map[string]bool{}
	rng        = rand.New(rand.NewSource(time.Now().UnixNano()))
	baseTS     = time.Now().Unix()*1000 - 100000
	seq        int64
)

// abort stops the broker, then reports the failure with the problems found so far.
func abort(format string, args ...interface{}) {
	if broker != nil {
		broker.stop(false)
		fmt.Fprintf(os.Stderr, "--- last lines of the broker log\n%s", broker.logTail(30))
	}
	if len(check.problems) > 0 {
		format += "; " + strings.Join(check.problems, "; ")
	}
	fail(format, args...)
}

// --- producing

func valueFor(key, tag string) []byte {
	random := make([]byte, 60)
	rng.Read(random)
	return []byte(key + "|" + tag + "|" + base64.StdEncoding.EncodeToString(random))
}

func headersFor(i int, tag string) []sarama.RecordHeader {
	if i%4 != 0 {
		return nil
	}
	hs := []sarama.RecordHeader{{Key: []byte("tag"), Value: []byte(tag)}, {Key: []byte("dup"), Value: []byte("first")},
		{Key: []byte("dup"), Value: []byte("second")}}
	if i%8 == 0 {
		hs = append(hs, sarama.RecordHeader{Key: []byte("empty"), Value: []byte{}})
	}
	return hs
}

func producerConfig(codec string) *sarama.Config {
	c := scenarioConfig(false)
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Partitioner = sarama.NewManualPartitioner
	c.Producer.Return.Successes = true
	c.Producer.Compression = codecs[codec]
	c.Producer.Flush.MaxMessages = 20 // batches well below segment.bytes
	c.Net.MaxOpenRequests = 1
	return c
}

// produceRound sends the records (offset unset) and notes each one at the offset the producer reports.
func produceRound(codec, what string, recs []record) {
	producer, err := sarama.NewSyncProducer([]string{broker.bootstrap}, producerConfig(codec))
	if err != nil {
		abort("NewSyncProducer: %v", err)
	}
	defer producer.Close()
	msgs := make([]*sarama.ProducerMessage, len(recs))
	for i := range recs {
		recs[i].timestamp = baseTS + seq
		seq++
		m := &sarama.ProducerMessage{Topic: topic, Partition: 0, Key: sarama.ByteEncoder(recs[i].key),
			Headers: recs[i].headers, Timestamp: time.Unix(0, recs[i].timestamp*int64(time.Millisecond))}
		if recs[i].value != nil {
			m.Value = sarama.ByteEncoder(recs[i].value)
		}
		msgs[i] = m
	}
	if err := producer.SendMessages(msgs); err != nil {
		abort("%s: %v", what, err)
	}
	for i, m := range msgs {
		if _, dup := produced[m.Offset]; dup {
			abort("%s: offset %d reported twice", what, m.Offset)
		}
		recs[i].offset = m.Offset
		produced[m.Offset] = recs[i]
	}
	fmt.Printf("%s: %d records, compression %s\n", what, len(recs), codec)
}

func produceRounds(from, to int) {
	for r := from; r < to; r++ {
		var recs []record
		for i := 0; i < numKeys; i++ {
			if rounds[r].inRound(i) {
				k := fmt.Sprintf("k-%04d", i)
				recs = append(recs, record{key: []byte(k), value: valueFor(k, fmt.Sprint("r", r)),
					headers: headersFor(i, fmt.Sprint("r", r))})
			}
		}
		produceRound(rounds[r].codec, fmt.Sprintf("round %d", r), recs)
	}
}

// produceRest: after the last round, tombstones, fillers and the late round.
func produceRest() {
	var recs []record
	for _, i := range []int{7, 2} { // an odd key (last round 3) and one of round 1
		k := fmt.Sprintf("k-%04d", i)
		tombstoned[k] = true
		recs = append(recs, record{key: []byte(k)})
	}
	produceRound("none", "tombstones", recs)
	recs = nil
	for i := 0; i < numFillers; i++ {
		k := fmt.Sprintf("f-%04d", i)
		recs = append(recs, record{key: []byte(k), value: valueFor(k, "fill"), headers: headersFor(i, "fill")})
	}
	produceRound("lz4", "fillers (keys written once)", recs)
	recs = nil
	for i := 1; i < numKeys; i += 10 {
		k := fmt.Sprintf("k-%04d", i)
		recs = append(recs, record{key: []byte(k), value: valueFor(k, "late"), headers: headersFor(i, "late")})
	}
	produceRound("gzip", "late round (to the active segment)", recs)
}

// --- reading and the expectations

func sortedOffsets() []int64 {
	var offsets []int64
	for o := range produced {
		offsets = append(offsets, o)
	}
	sort.Slice(offsets, func(i, j int) bool { return offsets[i] < offsets[j] })
	return offsets
}

// segmentBases: the base offsets of the partition's segments (<20 digits>.log), ascending.
func segmentBases() []int64 {
	entries, err := os.ReadDir(filepath.Join(broker.dataDir, topic+"-0"))
	if err != nil {
		abort("partition directory: %v", err)
	}
	var bases []int64
	for _, e := range entries {
		n := e.Name()
		if len(n) == 24 && strings.HasSuffix(n, ".log") {
			if b, err := strconv.ParseInt(n[:20], 10, 64); err == nil {
				bases = append(bases, b)
			}
		}
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	return bases
}

// lastOffsets: each key's last offset, among the records below `below`.
func lastOffsets(below int64) map[string]int64 {
	last := map[string]int64{}
	for _, o := range sortedOffsets() {
		if o < below {
			last[string(produced[o].key)] = o
		}
	}
	return last
}

// compacted: what Kafka's cleaner leaves once every segment below activeBase is cleaned.
func compacted(activeBase int64) []record {
	lastClosed := lastOffsets(activeBase)
	var out []record
	for _, o := range sortedOffsets() {
		if o >= activeBase || lastClosed[string(produced[o].key)] == o {
			out = append(out, produced[o])
		}
	}
	return out
}

func newest(client sarama.Client) int64 {
	hw, err := client.GetOffset(topic, 0, sarama.OffsetNewest)
	if err != nil {
		abort("GetOffset newest: %v", err)
	}
	return hw
}

// read returns every record of the partition from the oldest offset to the high watermark.
func read() []record {
	config := scenarioConfig(false)
	config.Consumer.Return.Errors = true
	client, err := sarama.NewClient([]string{broker.bootstrap}, config)
	if err != nil {
		abort("NewClient: %v", err)
	}
	defer client.Close()
	hw := newest(client)
	if oldest, err := client.GetOffset(topic, 0, sarama.OffsetOldest); err != nil || oldest != 0 {
		check.problem("oldest offset: %d (%v), expected 0", oldest, err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		abort("NewConsumer: %v", err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		abort("ConsumePartition: %v", err)
	}
	defer pc.Close()
	var got []record
	timeout := time.After(readDeadline)
	last := int64(-1)
	for last < hw-1 {
		select {
		case m := <-pc.Messages():
			r := record{offset: m.Offset, key: m.Key, value: m.Value, timestamp: m.Timestamp.UnixNano() / int64(time.Millisecond)}
			for _, h := range m.Headers {
				r.headers = append(r.headers, *h)
			}
			got = append(got, r)
			last = m.Offset
		case err := <-pc.Errors():
			abort("consume: %v", err)
		case <-timeout:
			abort("reading from the oldest offset did not reach the high watermark %d within %v: last offset %d, %d records",
				hw, readDeadline, last, len(got))
		}
	}
	return got
}

// invariants: what must hold of any read, also while the cleaner is at work.
func invariants(what string, got []record) {
	for i := 1; i < len(got); i++ {
		if got[i].offset <= got[i-1].offset {
			check.problem("%s: offsets not strictly increasing at %d, %d", what, got[i-1].offset, got[i].offset)
			break
		}
	}
	changed := 0
	for _, r := range got {
		if p, ok := produced[r.offset]; !ok || !sameRecord(p, r) {
			if changed == 0 {
				check.problem("%s: record %v differs from the one produced at its offset, %v", what, r, p)
			}
			changed++
		}
	}
	if changed > 1 {
		check.problem("%s: %d records differ from the ones produced at their offsets", what, changed)
	}
	seen := map[int64]bool{}
	for _, r := range got {
		seen[r.offset] = true
	}
	var missing []int64
	for _, o := range lastOffsets(1 << 62) {
		if !seen[o] {
			missing = append(missing, o)
		}
	}
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
		check.problem("%s: the last records of %d keys are missing, first at offsets %v", what, len(missing), missing[:min(5, len(missing))])
	}
}

func sameRecords(a, b []record) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameRecord(a[i], b[i]) {
			return false
		}
	}
	return true
}

// waitForCompaction reads until the partition is exactly its compacted form; returns that form.
// final: everything has been produced.
func waitForCompaction(final bool) []record {
	bases := segmentBases()
	active := bases[len(bases)-1]
	expected := compacted(active)
	fmt.Printf("%d records produced in %d segments, active from offset %d; %d records expected once compacted\n",
		len(produced), len(bases), active, len(expected))
	if need := map[bool]int{false: 2, true: 3}[final]; len(bases) < need {
		check.problem("only %d segments, the scenario needs %d", len(bases), need)
	}
	if final {
		late := 0
		for k, o := range lastOffsets(1 << 62) {
			if tombstoned[k] && o >= active {
				check.problem("the tombstone of %s (offset %d) lies in the active segment (from %d)", k, o, active)
			}
		}
		for o, r := range produced {
			if o >= active && bytes.Contains(r.value, []byte("|late|")) {
				late++
			}
		}
		fmt.Printf("%d records of the late round in the active segment\n", late)
		if late == 0 {
			check.problem("no record of the late round in the active segment")
		}
	}
	deadline := time.Now().Add(waitCompacted)
	count := -1
	for reads := 1; ; reads++ {
		got := read()
		invariants(fmt.Sprintf("read %d", reads), got)
		if len(got) != count {
			fmt.Printf("read %d: %d records\n", reads, len(got))
			count = len(got)
		}
		if len(check.problems) > 0 {
			abort("while waiting for the cleaner")
		}
		if sameRecords(got, expected) {
			fmt.Printf("compacted as expected after %d reads\n", reads)
			return expected
		}
		if time.Now().After(deadline) {
			want := map[int64]bool{}
			for _, r := range expected {
				want[r.offset] = true
			}
			var extra []int64
			for _, r := range got {
				if !want[r.offset] {
					extra = append(extra, r.offset)
				}
			}
			abort("after %v, %d records read, %d expected (of %d produced); superseded records still there: %d, first offsets %v",
				waitCompacted, len(got), len(expected), len(produced), len(extra), extra[:min(5, len(extra))])
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// removedOffsets: a fetch from a removed offset starts at the next record kept, and a timestamp lookup
// (ListOffsets) of a removed record's timestamp finds that record (timestamps grow with the offsets
// here): both go through the rebuilt segments' indexes.
func removedOffsets(expected []record) {
	kept := map[int64]bool{}
	for _, r := range expected {
		kept[r.offset] = true
	}
	var removed []int64
	for _, o := range sortedOffsets() {
		if !kept[o] {
			removed = append(removed, o)
		}
	}
	nextKept := func(x int64) int64 {
		for _, r := range expected {
			if r.offset > x {
				return r.offset
			}
		}
		return -1
	}
	client, err := sarama.NewClient([]string{broker.bootstrap}, scenarioConfig(false))
	if err != nil {
		abort("NewClient: %v", err)
	}
	defer client.Close()
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		abort("NewConsumer: %v", err)
	}
	defer consumer.Close()
	samples := []int64{removed[0], removed[len(removed)/3], removed[len(removed)/2], removed[len(removed)-1]}
	for _, x := range samples {
		want := nextKept(x)
		if got, err := client.GetOffset(topic, 0, produced[x].timestamp); err != nil || got != want {
			check.problem("GetOffset for removed offset %d's timestamp: %d (%v), expected %d", x, got, err, want)
		}
		pc, err := consumer.ConsumePartition(topic, 0, x)
		if err != nil {
			abort("ConsumePartition at %d: %v", x, err)
		}
		select {
		case m := <-pc.Messages():
			if m.Offset != want {
				check.problem("fetch from removed offset %d: first offset %d, expected %d", x, m.Offset, want)
			}
		case <-time.After(readDeadline):
			check.problem("fetch from removed offset %d: nothing within %v", x, readDeadline)
		}
		pc.Close()
	}
	fmt.Printf("fetch and ListOffsets by timestamp at removed offsets %v land on the next kept ones\n", samples)
}

func keylessRefused() {
	client, err := sarama.NewClient([]string{broker.bootstrap}, scenarioConfig(false))
	if err != nil {
		abort("NewClient: %v", err)
	}
	defer client.Close()
	before := newest(client)
	producer, err := sarama.NewSyncProducer([]string{broker.bootstrap}, producerConfig("none"))
	if err != nil {
		abort("NewSyncProducer: %v", err)
	}
	_, _, err = producer.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder("no key")})
	producer.Close()
	fmt.Printf("keyless record: %v\n", err)
	if err != errInvalidRecord {
		check.problem("keyless record: saw error %v, expected INVALID_RECORD (87)", err)
	}
	if after := newest(client); after != before {
		check.problem("keyless record: the high watermark moved from %d to %d", before, after)
	}
}

func main() {
	check = &checker{expect: readExpectations()}
	broker = ownEddyFromEnv("compaction", abort, fmt.Sprintf("log.cleaner.backoff.ms=%d", cleanerBackoffMs))
	enableDebugLog()
	broker.start()
	topic = runTopic("compat-compaction-sarama-")
	fmt.Printf("own broker %s; topic %s\n", broker.bootstrap, topic)

	admin, err := sarama.NewClusterAdmin([]string{broker.bootstrap}, scenarioConfig(false))
	if err != nil {
		abort("NewClusterAdmin: %v", err)
	}
	configs := map[string]string{"cleanup.policy": "compact", "segment.bytes": fmt.Sprint(segmentBytes),
		"min.cleanable.dirty.ratio": "0.01"}
	entries := map[string]*string{}
	for k, v := range configs {
		v := v
		entries[k] = &v
	}
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1, ConfigEntries: entries}, false); err != nil {
		abort("CreateTopic: %v", err)
	}
	shown, err := admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic})
	if err != nil {
		abort("DescribeConfig: %v", err)
	}
	admin.Close()
	for _, name := range []string{"cleanup.policy", "segment.bytes", "min.cleanable.dirty.ratio"} {
		seen := "(missing)"
		for _, e := range shown {
			if e.Name == name {
				seen = e.Value
			}
		}
		fmt.Printf("DescribeConfigs %s = %s\n", name, seen)
		if seen != configs[name] {
			check.problem("DescribeConfigs %s: saw %s, expected %s", name, seen, configs[name])
		}
	}

	// Rounds 0 to 2 and a wait for the cleaner; the rest and a second wait, whose cleaning also goes over
	// the segments the first one rewrote.
	produceRounds(0, 3)
	waitForCompaction(false)
	produceRounds(3, len(rounds))
	produceRest()
	keylessRefused()
	expected := waitForCompaction(true)
	removedOffsets(expected)
	end := int64(len(produced))

	broker.stop(false)
	broker.start()
	fmt.Println("broker restarted (SIGTERM, then started again on the same data directory)")
	for _, when := range []string{"right after the restart", "after more cleaner passes"} {
		if when != "right after the restart" {
			time.Sleep(5 * cleanerBackoffMs * time.Millisecond)
		}
		got := read()
		fmt.Printf("%s: %d records\n", when, len(got))
		if !sameRecords(got, expected) {
			invariants(when, got)
			check.problem("%s: %d records read, expected the %d of the compacted log", when, len(got), len(expected))
		}
	}
	client, err := sarama.NewClient([]string{broker.bootstrap}, scenarioConfig(false))
	if err != nil {
		abort("NewClient: %v", err)
	}
	if hw := newest(client); hw != end {
		check.problem("high watermark after the restart: %d, expected %d", hw, end)
	}
	client.Close()
	broker.stop(false)
	check.finish()
}
