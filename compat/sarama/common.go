// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Shared by the Sarama scenarios: what to expect (from compat/run's environment) and failure reporting;
// an Eddy of a scenario's own (compaction, groups_recovery);
// and, for the consumer-group scenarios (groups, groups_recovery), the data set of compat/lib/groups.py
// (read its docstring), the tally of what was consumed and OffsetFetch.

package main

import (
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/Shopify/sarama"
)

type brokerInfo struct {
	ID   int32
	Addr string // host:port
}

func (b brokerInfo) String() string { return fmt.Sprintf("%d@%s", b.ID, b.Addr) }

type expectations struct {
	bootstrap       string
	brokers         []brokerInfo // sorted by id
	checkController bool         // false when COMPAT_EXPECT_CONTROLLER is empty
	controller      int32
}

// readExpectations parses argv[1] (or COMPAT_BOOTSTRAP), COMPAT_EXPECT_BROKERS ("id@host:port,...",
// default 1@bootstrap) and COMPAT_EXPECT_CONTROLLER (default 1).
func readExpectations() expectations {
	var e expectations
	if len(os.Args) > 1 {
		e.bootstrap = os.Args[1]
	} else {
		e.bootstrap = os.Getenv("COMPAT_BOOTSTRAP")
	}
	if e.bootstrap == "" {
		fail("usage: %s BOOTSTRAP (or set COMPAT_BOOTSTRAP)", os.Args[0])
	}
	spec := os.Getenv("COMPAT_EXPECT_BROKERS")
	if spec == "" {
		spec = "1@" + e.bootstrap
	}
	for _, item := range strings.Split(spec, ",") {
		parts := strings.SplitN(item, "@", 2)
		id, err := strconv.Atoi(parts[0])
		if len(parts) != 2 || err != nil {
			fail("bad COMPAT_EXPECT_BROKERS item %q", item)
		}
		e.brokers = append(e.brokers, brokerInfo{int32(id), parts[1]})
	}
	sortBrokers(e.brokers)
	controller, set := os.LookupEnv("COMPAT_EXPECT_CONTROLLER")
	e.checkController = !set || controller != ""
	e.controller = 1
	if set && controller != "" {
		id, err := strconv.Atoi(controller)
		if err != nil {
			fail("bad COMPAT_EXPECT_CONTROLLER %q", controller)
		}
		e.controller = int32(id)
	}
	return e
}

func sortBrokers(brokers []brokerInfo) {
	sort.Slice(brokers, func(i, j int) bool { return brokers[i].ID < brokers[j].ID })
}

// checker collects mismatches so one run reports all of them.
type checker struct {
	expect   expectations
	problems []string
}

func (c *checker) problem(format string, args ...interface{}) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *checker) brokers(what string, seen []brokerInfo) {
	sortBrokers(seen)
	if fmt.Sprint(seen) != fmt.Sprint(c.expect.brokers) {
		c.problem("%s: saw %v, expected %v", what, seen, c.expect.brokers)
	}
}

func (c *checker) controller(what string, seen int32) {
	if c.expect.checkController && seen != c.expect.controller {
		c.problem("%s: saw %d, expected %d", what, seen, c.expect.controller)
	}
}

func (c *checker) finish() {
	if len(c.problems) > 0 {
		fail("%s", strings.Join(c.problems, "; "))
	}
	fmt.Println("ok")
	os.Exit(0)
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// Sarama's own log on stderr when $COMPAT_DEBUG is set.
func enableDebugLog() {
	if os.Getenv("COMPAT_DEBUG") != "" {
		sarama.Logger = log.New(os.Stderr, "[sarama] ", log.LstdFlags)
	}
}

// Whether compat/run started librdkafka's mock cluster instead of Eddy.
func brokerIsMock() bool { return os.Getenv("COMPAT_BROKER_KIND") == "mock" }

// prefix + this run's id ($COMPAT_RUN_ID; "manual" outside the harness).
func runTopic(prefix string) string {
	runID := os.Getenv("COMPAT_RUN_ID")
	if runID == "" {
		runID = "manual"
	}
	return prefix + runID
}

// startAdminScenario begins an admin scenario: its expectations, checker and a Kafka 2.0 config.
// It SKIPs on the mock, which has no Metadata v5, what Sarama sends as Kafka 2.0.
func startAdminScenario() (expectations, *checker, *sarama.Config) {
	expect := readExpectations()
	enableDebugLog()
	if brokerIsMock() {
		fmt.Println("SKIP: the mock cluster has no Metadata v5, which Sarama as Kafka 2.0 sends")
		os.Exit(77)
	}
	c := scenarioConfig(false)
	c.Metadata.Retry.Max = 5
	return expect, &checker{expect: expect}, c
}

// scenarioConfig is what every Sarama scenario starts from: Kafka 2.0 and generous timeouts; with
// forMock, 0.11 (the first with record batches and headers), because the mock answers Metadata
// only up to v2 and Sarama as >= 1.0 sends v5. Sarama 1.22.1 sends the same Produce (v3),
// Fetch (v4) and ListOffsets (v1) versions as both.
func scenarioConfig(forMock bool) *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = "eddy-compat"
	c.Version = sarama.V2_0_0_0
	if forMock {
		c.Version = sarama.V0_11_0_0
	}
	c.Net.DialTimeout = 10 * time.Second
	c.Net.ReadTimeout = 30 * time.Second
	return c
}

// --- the consumer-group scenarios

const (
	perPhase = 20               // records in each partition per phase of the group data set
	deadline = 60 * time.Second // any single wait; only a hung test reaches it
)

func recordKey(phase, p, i int) string { return fmt.Sprintf("k%d-p%d-%04d", phase, p, i) }

// groupConfig is Kafka 2.0 for a group member; with the mock cluster, 0.11, because the mock answers
// Metadata only up to v2.
func groupConfig(clientID string) *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = clientID
	c.Version = sarama.V2_0_0_0
	if brokerIsMock() {
		c.Version = sarama.V0_11_0_0
	}
	c.Net.DialTimeout = 10 * time.Second
	c.Net.ReadTimeout = 30 * time.Second
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Group.Session.Timeout = 6 * time.Second
	c.Consumer.Group.Heartbeat.Interval = 500 * time.Millisecond
	c.Consumer.Return.Errors = true
	return c
}

// producePhase sends records start(p)..stop(p)-1 of a phase to every partition p of topic, all acknowledged,
// and returns their (p, offset).
func producePhase(addrs []string, topic string, partitions, phase int, start, stop func(p int) int) (map[[2]int64]bool, error) {
	c := groupConfig("eddy-compat")
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Partitioner = sarama.NewManualPartitioner
	c.Producer.Return.Successes = true
	c.Net.MaxOpenRequests = 1
	producer, err := sarama.NewSyncProducer(addrs, c)
	if err != nil {
		return nil, fmt.Errorf("NewSyncProducer: %v", err)
	}
	defer producer.Close()
	var msgs []*sarama.ProducerMessage
	out := map[[2]int64]bool{}
	var ranges [][2]int
	for p := 0; p < partitions; p++ {
		ranges = append(ranges, [2]int{start(p), stop(p)})
		for i := start(p); i < stop(p); i++ {
			k := recordKey(phase, p, i)
			msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Partition: int32(p), Key: sarama.StringEncoder(k),
				Value: sarama.StringEncoder(k + ":v")})
			out[[2]int64{int64(p), int64(phase*perPhase + i)}] = true
		}
	}
	if err := producer.SendMessages(msgs); err != nil {
		return nil, fmt.Errorf("produce phase %d: %v", phase, err)
	}
	fmt.Printf("produced phase %d, records [start, stop) of each partition: %v\n", phase, ranges)
	return out, nil
}

// fetchCommitted returns the group's committed offset per partition of topic (OffsetFetch v1 on the
// coordinator); a partition without a commit is left out.
func fetchCommitted(client sarama.Client, group, topic string, partitions int) (map[int32]int64, error) {
	coordinator, err := client.Coordinator(group)
	if err != nil {
		return nil, fmt.Errorf("Coordinator: %v", err)
	}
	req := &sarama.OffsetFetchRequest{ConsumerGroup: group, Version: 1}
	for p := 0; p < partitions; p++ {
		req.AddPartition(topic, int32(p))
	}
	resp, err := coordinator.FetchOffset(req)
	if err != nil {
		return nil, fmt.Errorf("OffsetFetch: %v", err)
	}
	out := map[int32]int64{}
	for p := 0; p < partitions; p++ {
		if b := resp.GetBlock(topic, int32(p)); b != nil && b.Err == sarama.ErrNoError && b.Offset >= 0 {
			out[int32(p)] = b.Offset
		}
	}
	return out, nil
}

// isSplit tells whether the members' assignments split the partitions: each held by exactly one, none idle.
func isSplit(assigned map[string][]int32, partitions int) bool {
	owners := map[int32]int{}
	for _, held := range assigned {
		if len(held) == 0 {
			return false
		}
		for _, p := range held {
			owners[p]++
		}
	}
	for p := 0; p < partitions; p++ {
		if owners[int32(p)] != 1 {
			return false
		}
	}
	return true
}

// tally counts every record consumed, by (partition, offset), and checks its key against its offset.
type tally struct {
	mu       sync.Mutex
	count    map[[2]int64]int
	problems []string
}

func newTally() *tally { return &tally{count: map[[2]int64]int{}} }

// add counts one record `member` consumed while it held the partitions `held`.
func (t *tally) add(member string, p int32, offset int64, key string, held []int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.count[[2]int64{int64(p), offset}]++
	want := recordKey(int(offset)/perPhase, int(p), int(offset)%perPhase)
	if key != want && len(t.problems) < 10 {
		t.problems = append(t.problems, fmt.Sprintf("%s: partition %d offset %d has key %q, expected %q", member, p, offset, key, want))
	}
	inside := false
	for _, h := range held {
		inside = inside || h == p
	}
	if !inside && len(t.problems) < 10 {
		t.problems = append(t.problems, fmt.Sprintf("%s got partition %d offset %d outside its assignment %v", member, p, offset, held))
	}
}

func (t *tally) hasAll(want map[[2]int64]bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for w := range want {
		if t.count[w] == 0 {
			return false
		}
	}
	return true
}

// exactlyOnce reports to `check` unless every wanted record was consumed once and nothing else was (and
// the problems add found).
func (t *tally) exactlyOnce(check *checker, what string, want map[[2]int64]bool) {
	t.onceBelow(check, what, want, nil)
}

// onceBelow is exactlyOnce, except that records at or after a partition's committed offset in
// `committed` may be consumed more than once: at-least-once lets a rebalance redeliver uncommitted work.
func (t *tally) onceBelow(check *checker, what string, want map[[2]int64]bool, committed map[int32]int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	check.problems = append(check.problems, t.problems...)
	var missing, twice, extra []string
	for w := range want {
		if t.count[w] == 0 {
			missing = append(missing, fmt.Sprint(w))
		}
	}
	for po, n := range t.count {
		from, redeliverable := committed[int32(po[0])]
		if n > 1 && !(redeliverable && po[1] >= from) {
			twice = append(twice, fmt.Sprint(po))
		}
		if !want[po] {
			extra = append(extra, fmt.Sprint(po))
		}
	}
	for _, bad := range []struct {
		what string
		list []string
	}{{"never consumed", missing}, {"consumed more than once", twice}, {"consumed that should not have been", extra}} {
		if len(bad.list) > 0 {
			sort.Strings(bad.list)
			check.problem("%s: %d records %s, first %v", what, len(bad.list), bad.what, bad.list[:min(5, len(bad.list))])
		}
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// --- an Eddy of the scenario's own (compaction, groups_recovery), from compat/run's binary

type ownEddy struct {
	binary, dataDir, bootstrap string
	overrides                  []string
	log                        *os.File
	cmd                        *exec.Cmd
	exited                     chan struct{} // closed once cmd has ended
	starts                     int
	abort                      func(format string, args ...interface{}) // the scenario's: stops what it started
}

// ownEddyFromEnv prepares (not starts) an Eddy with `overrides` from $COMPAT_BROKER_BIN (or $EDDY_BIN), its
// data and log in $COMPAT_SCRATCH; without a binary the scenario is skipped (exit 77), saying `need` needs one.
// A start that fails calls `abort`.
func ownEddyFromEnv(need string, abort func(format string, args ...interface{}), overrides ...string) *ownEddy {
	binary := os.Getenv("COMPAT_BROKER_BIN")
	if binary == "" {
		binary = os.Getenv("EDDY_BIN")
	}
	if binary == "" {
		fmt.Printf("SKIP: %s needs an Eddy binary ($COMPAT_BROKER_BIN, set by compat/run when it starts Eddy)\n", need)
		os.Exit(77)
	}
	scratch := os.Getenv("COMPAT_SCRATCH")
	if scratch == "" {
		scratch = "."
	}
	l, err := net.Listen("tcp", "127.0.0.1:0") // a free port, released for Eddy
	if err != nil {
		fail("free port: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	log, err := os.OpenFile(filepath.Join(scratch, "broker.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fail("broker log: %v", err)
	}
	return &ownEddy{binary: binary, dataDir: filepath.Join(scratch, "data"), bootstrap: addr, log: log, overrides: overrides,
		abort: abort}
}

// start runs Eddy and returns once it accepts connections; aborts when it exits first or does not within
// `deadline`.
func (e *ownEddy) start() {
	e.starts++
	fmt.Fprintf(e.log, "\n=== start #%d\n", e.starts)
	listener := "PLAINTEXT://" + e.bootstrap
	args := []string{"--override", "listeners=" + listener, "--override", "advertised.listeners=" + listener,
		"--override", "log.dirs=" + e.dataDir, "--override", "node.id=1"}
	for _, o := range e.overrides {
		args = append(args, "--override", o)
	}
	// Same process group as the scenario: when compat/run kills the scenario's group, Eddy goes too.
	e.cmd = exec.Command(e.binary, args...)
	e.cmd.Stdout, e.cmd.Stderr = e.log, e.log
	if err := e.cmd.Start(); err != nil {
		e.cmd = nil
		e.abort("starting eddy: %v", err)
	}
	e.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { cmd.Wait(); close(exited) }(e.cmd, e.exited)
	end := time.Now().Add(deadline)
	for {
		select {
		case <-e.exited:
			e.cmd = nil
			e.abort("eddy exited while starting (start #%d)", e.starts)
		default:
		}
		if conn, err := net.DialTimeout("tcp", e.bootstrap, time.Second); err == nil {
			conn.Close()
			return
		}
		if time.Now().After(end) {
			e.abort("eddy did not accept connections within %v (start #%d)", deadline, e.starts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM (a clean shutdown) or SIGKILL and waits until the process has ended (SIGKILL after 30 s).
func (e *ownEddy) stop(kill bool) {
	if e.cmd == nil {
		return
	}
	p := e.cmd.Process
	e.cmd = nil
	if kill {
		p.Kill()
	} else {
		p.Signal(syscall.SIGTERM)
	}
	select {
	case <-e.exited:
	case <-time.After(30 * time.Second):
		p.Kill()
		<-e.exited
	}
}

func (e *ownEddy) logTail(lines int) string {
	data, _ := os.ReadFile(e.log.Name())
	all := strings.Split(string(data), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
