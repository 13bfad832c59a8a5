// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Sarama: a consumer-group member that crashes loses its partitions to the others once its session times
// out, and committed offsets survive a broker crash: the members resume exactly there.
//
// Every member is a child process (this program run with --member) so a crash is a real one: SIGKILL,
// no LeaveGroup, the kernel closes its sockets. The scenario starts its own Eddy from $COMPAT_BROKER_BIN
// on its own port and data directory so it can SIGKILL it and start it again (the Go twin of
// lib/own_broker.py; compat/setup builds each scenario with common.go only, so it lives here); SKIP
// without an Eddy binary (mock cluster, --bootstrap).
//
// Members commit only what the scenario tells them: Sarama 1.22.1 has no manual commit, so a member marks
// the offset (MarkOffset, then ResetOffset, which moves it back) and the scenario waits until OffsetFetch
// shows it (Sarama commits marks every Consumer.Offsets.CommitInterval).
//
// Static membership (a member restarting with the same group.instance.id keeps its partitions) is not
// checked: Sarama 1.22.1 has no group instance id and sends JoinGroup only up to v2 (it came with v5).

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

const partitions = 6

var (
	topic, groupID string
	check          *checker
	broker         *ownEddy
	live           = map[string]*member{} // members whose process runs, stopped on failure
)

// abort stops what the scenario started, then reports the failure.
func abort(format string, args ...interface{}) {
	for _, m := range live {
		m.kill()
	}
	if broker != nil {
		broker.stop(false)
		fmt.Fprintf(os.Stderr, "--- last lines of the broker log\n%s", broker.logTail(30))
	}
	if len(check.problems) > 0 {
		format += "; " + strings.Join(check.problems, "; ")
	}
	fail(format, args...)
}

// --- a member: the child process

// message is one JSON line from a member to the scenario.
type message struct {
	Assigned  *[]int32    `json:"assigned,omitempty"`  // after each assignment (Setup), empty after Cleanup
	Rebalance bool        `json:"rebalance,omitempty"` // set with every Setup
	Records   [][3]string `json:"records,omitempty"`   // partition, offset, key
	Held      []int32     `json:"held,omitempty"`      // the session's partitions when Records were consumed
	Done      string      `json:"done,omitempty"`      // a command has been carried out
	Note      string      `json:"note,omitempty"`      // a client error, printed (expected while the broker is down)
	Error     string      `json:"error,omitempty"`     // the member cannot go on
}

// command is one JSON line from the scenario to a member.
type command struct {
	Cmd     string          `json:"cmd"` // commit, close
	Offsets map[int32]int64 `json:"offsets,omitempty"`
}

type memberHandler struct {
	emit    func(message)
	mu      sync.Mutex
	session sarama.ConsumerGroupSession
}

func (h *memberHandler) Setup(s sarama.ConsumerGroupSession) error {
	h.mu.Lock()
	h.session = s
	h.mu.Unlock()
	claims := s.Claims()[topic]
	h.emit(message{Assigned: &claims, Rebalance: true})
	return nil
}

func (h *memberHandler) Cleanup(s sarama.ConsumerGroupSession) error {
	h.mu.Lock()
	h.session = nil
	h.mu.Unlock()
	h.emit(message{Assigned: &[]int32{}})
	return nil
}

// ConsumeClaim reports every record and marks nothing: what is committed is up to the scenario.
func (h *memberHandler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		h.emit(message{Records: [][3]string{{fmt.Sprint(msg.Partition), fmt.Sprint(msg.Offset), string(msg.Key)}},
			Held: s.Claims()[topic]})
	}
	return nil
}

// commit marks exactly `offsets` for the session's partitions; Sarama commits them within a second.
func (h *memberHandler) commit(offsets map[int32]int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.session == nil {
		return fmt.Errorf("commit between sessions")
	}
	for p, o := range offsets {
		h.session.MarkOffset(topic, p, o, "")  // moves forward only
		h.session.ResetOffset(topic, p, o, "") // moves back only
	}
	return nil
}

func memberMain(bootstrap, name string) {
	var outMu sync.Mutex
	out := json.NewEncoder(os.Stdout)
	emit := func(m message) {
		outMu.Lock()
		defer outMu.Unlock()
		out.Encode(m)
	}
	enableDebugLog()
	group, err := sarama.NewConsumerGroup([]string{bootstrap}, groupID, groupConfig(name))
	if err != nil {
		emit(message{Error: "NewConsumerGroup: " + err.Error()})
		os.Exit(1)
	}
	go func() {
		for err := range group.Errors() {
			emit(message{Note: err.Error()})
		}
	}()
	h := &memberHandler{emit: emit}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil { // each Consume is one generation; it returns when the group rebalances
			if err := group.Consume(ctx, []string{topic}, h); err != nil && ctx.Err() == nil {
				emit(message{Note: "Consume: " + err.Error()})
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var c command
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			emit(message{Error: "bad command: " + err.Error()})
			os.Exit(1)
		}
		switch c.Cmd {
		case "commit":
			if err := h.commit(c.Offsets); err != nil {
				emit(message{Error: err.Error()})
				os.Exit(1)
			}
		case "close": // ends the session (committing what is marked) and sends LeaveGroup
			cancel()
			<-done
			if err := group.Close(); err != nil {
				emit(message{Error: "Close: " + err.Error()})
				os.Exit(1)
			}
		}
		emit(message{Done: c.Cmd})
		if c.Cmd == "close" {
			os.Exit(0)
		}
	}
	os.Exit(0) // the scenario went away: stop without leaving
}

// --- the scenario's view of a member

// member is one child process; a goroutine keeps its latest assignment and adds its records to the tally.
type member struct {
	name       string
	cmd        *exec.Cmd
	stdin      *json.Encoder
	mu         sync.Mutex
	tally      *tally
	assigned   []int32
	rebalances int
	done       int
	err        string
	exited     chan struct{}
}

func startMember(bootstrap, name string, t *tally) *member {
	m := &member{name: name, tally: t, exited: make(chan struct{})}
	m.cmd = exec.Command(os.Args[0], "--member", bootstrap, topic, name)
	m.cmd.Stderr = os.Stderr
	stdin, err := m.cmd.StdinPipe()
	if err != nil {
		abort("%s: %v", name, err)
	}
	stdout, err := m.cmd.StdoutPipe()
	if err != nil {
		abort("%s: %v", name, err)
	}
	if err := m.cmd.Start(); err != nil {
		abort("starting %s: %v", name, err)
	}
	m.stdin = json.NewEncoder(stdin)
	live[name] = m
	go m.read(bufio.NewScanner(stdout))
	return m
}

func (m *member) read(lines *bufio.Scanner) {
	lines.Buffer(make([]byte, 1<<16), 1<<20)
	for lines.Scan() {
		var msg message
		if err := json.Unmarshal(lines.Bytes(), &msg); err != nil {
			fmt.Printf("%s: %s\n", m.name, lines.Text()) // not ours (a library printing to stdout)
			continue
		}
		if msg.Note != "" {
			fmt.Printf("%s: client error: %s\n", m.name, msg.Note)
		}
		m.mu.Lock()
		if msg.Assigned != nil {
			m.assigned = *msg.Assigned
		}
		if msg.Rebalance {
			m.rebalances++
		}
		for _, r := range msg.Records {
			var p int32
			var offset int64
			fmt.Sscan(r[0], &p)
			fmt.Sscan(r[1], &offset)
			m.tally.add(m.name, p, offset, r[2], msg.Held)
		}
		if msg.Done != "" {
			m.done++
		}
		if msg.Error != "" && m.err == "" {
			m.err = m.name + ": " + msg.Error
		}
		m.mu.Unlock()
	}
	err := m.cmd.Wait()
	m.mu.Lock()
	if err != nil && m.err == "" {
		m.err = fmt.Sprintf("%s exited: %v", m.name, err)
	}
	m.mu.Unlock()
	close(m.exited)
}

func (m *member) problem() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

func (m *member) do(c command) {
	m.mu.Lock()
	before := m.done
	m.mu.Unlock()
	if err := m.stdin.Encode(c); err != nil {
		abort("%s %s: %v", m.name, c.Cmd, err)
	}
	waitUntil(m.name+" "+c.Cmd, func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.done > before
	})
}

// kill is a crash: SIGKILL, so no LeaveGroup and no commit; the kernel closes the member's sockets.
func (m *member) kill() {
	m.mu.Lock()
	m.err = "killed" // not a problem, but nothing may wait on it any more
	m.mu.Unlock()
	delete(live, m.name)
	m.cmd.Process.Kill()
	<-m.exited
}

func (m *member) close() {
	m.do(command{Cmd: "close"})
	<-m.exited
	delete(live, m.name)
}

func (m *member) setTally(t *tally) {
	m.mu.Lock()
	m.tally = t
	m.mu.Unlock()
}

func (m *member) state() (assigned []int32, rebalances int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]int32(nil), m.assigned...), m.rebalances
}

// waitUntil polls condition(); a member's failure or the deadline ends the scenario.
func waitUntil(what string, condition func() bool) {
	end := time.Now().Add(deadline)
	for !condition() {
		for _, m := range live {
			if e := m.problem(); e != "" {
				abort("%s: %s", what, e)
			}
		}
		if time.Now().After(end) {
			abort("%s: not reached after %v", what, deadline)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitSplit waits until the live members' assignments split the topic's partitions among them.
func waitSplit(what string) map[string][]int32 {
	var seen map[string][]int32
	waitUntil(what, func() bool {
		seen = map[string][]int32{}
		for name, m := range live {
			seen[name], _ = m.state()
		}
		return isSplit(seen, partitions)
	})
	fmt.Printf("%s: %v\n", what, seen)
	return seen
}

// commitAll has every live member commit `offsets` for the partitions it holds, and waits for OffsetFetch
// to show them.
func commitAll(bootstrap string, offsets map[int32]int64) {
	for _, m := range live {
		held, _ := m.state()
		mine := map[int32]int64{}
		for _, p := range held {
			mine[p] = offsets[p]
		}
		m.do(command{Cmd: "commit", Offsets: mine})
	}
	waitUntil("OffsetFetch shows the commit", func() bool { return fmt.Sprint(committed(bootstrap)) == fmt.Sprint(offsets) })
	fmt.Printf("committed %v\n", offsets)
}

func rebalances() map[string]int {
	out := map[string]int{}
	for name, m := range live {
		_, out[name] = m.state()
	}
	return out
}

// committed returns the group's committed offset per partition (OffsetFetch v1), through a new client
// so that it also works right after the broker restarted.
func committed(bootstrap string) map[int32]int64 {
	client, err := sarama.NewClient([]string{bootstrap}, groupConfig("eddy-compat"))
	if err != nil {
		abort("NewClient: %v", err)
	}
	defer client.Close()
	out, err := fetchCommitted(client, groupID, topic, partitions)
	if err != nil {
		abort("%v", err)
	}
	return out
}

// produce sends records start(p)..stop(p)-1 of a phase to every partition p and returns their (p, offset).
func produce(bootstrap string, phase int, start, stop func(p int) int) map[[2]int64]bool {
	out, err := producePhase([]string{bootstrap}, topic, partitions, phase, start, stop)
	if err != nil {
		abort("%v", err)
	}
	return out
}

func union(sets ...map[[2]int64]bool) map[[2]int64]bool {
	out := map[[2]int64]bool{}
	for _, s := range sets {
		for k := range s {
			out[k] = true
		}
	}
	return out
}

func setTally(t *tally) {
	for _, m := range live {
		m.setTally(t)
	}
}

// --- the scenario

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--member" {
		topic, groupID = os.Args[3], os.Args[3]
		memberMain(os.Args[2], os.Args[4])
		return
	}
	check = &checker{expect: readExpectations()}
	broker = ownEddyFromEnv("crashing the broker", abort)
	enableDebugLog()
	broker.start()
	bootstrap := broker.bootstrap
	topic = runTopic("compat-recovery-sarama-")
	groupID = topic
	fmt.Printf("own broker %s; topic and group %s\n", bootstrap, topic)
	admin, err := sarama.NewClusterAdmin([]string{bootstrap}, groupConfig("eddy-compat-admin"))
	if err != nil {
		abort("NewClusterAdmin: %v", err)
	}
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false); err != nil {
		abort("CreateTopic: %v", err)
	}
	admin.Close()
	fromStart := func(int) int { return 0 }
	toEnd := func(int) int { return perPhase }

	// (a) c3 crashes: once its session times out (6 s) c1 and c2 get its partitions, from its commit.
	t := newTally()
	for _, name := range []string{"c1", "c2", "c3"} {
		startMember(bootstrap, name, t)
	}
	first := waitSplit("three members")
	want := produce(bootstrap, 0, fromStart, toEnd)
	waitUntil("consume phase 0", func() bool { return t.hasAll(want) })
	t.exactlyOnce(check, "phase 0 with three members", want)
	// c3 commits less than it consumed, so the records its successor must read again are known.
	crashCommit := map[int32]int64{}
	for p := 0; p < partitions; p++ {
		crashCommit[int32(p)] = perPhase
	}
	for _, p := range first["c3"] {
		crashCommit[p] = int64(5 + p)
	}
	commitAll(bootstrap, crashCommit)
	live["c3"].kill()
	fmt.Printf("c3 killed (SIGKILL) holding %v\n", first["c3"])
	after := newTally()
	setTally(after)
	waitSplit("c1 and c2 after c3's session timed out")
	want = map[[2]int64]bool{}
	for _, p := range first["c3"] {
		for o := crashCommit[p]; o < perPhase; o++ {
			want[[2]int64{int64(p), o}] = true
		}
	}

	// (b) c1 and c2 commit a different offset in every partition; the broker is SIGKILLed and started
	// again on the same data directory; c1 and c2 go on exactly from there.
	want = union(want, produce(bootstrap, 1, fromStart, func(p int) int { return 2 + p }))
	waitUntil("consume the first records of phase 1", func() bool { return after.hasAll(want) })
	head := map[int32]int64{}
	for p := 0; p < partitions; p++ {
		head[int32(p)] = int64(perPhase + 2 + p)
	}
	commitAll(bootstrap, head)
	before := rebalances()
	broker.stop(true)
	broker.start()
	fmt.Println("broker restarted (SIGKILL, then started again on the same data directory)")
	want = union(want, produce(bootstrap, 1, func(p int) int { return 2 + p }, func(int) int { return perPhase / 2 }))
	waitUntil("c1 and c2 consume across the broker restart", func() bool { return after.hasAll(want) })
	time.Sleep(500 * time.Millisecond) // anything consumed that should not be would show up too
	// Sarama loses its session while the broker is down and may rebalance more than once on its way
	// back, each time starting again at the commit: records after `head` may come twice (at-least-once),
	// everything before it exactly once.
	after.onceBelow(check, "after c3's crash and the broker's", want, head)
	waitSplit("c1 and c2 after the broker restart")
	// Either is right: Kafka keeps the group's members across a restart; Sarama's heartbeat fails while
	// the broker is down, which ends its session, and it joins again, starting at the committed offsets.
	since := map[string]int{}
	for name, n := range rebalances() {
		since[name] = n - before[name]
	}
	fmt.Printf("assignments received during the restart: %v\n", since)
	live["c1"].close()
	live["c2"].close()

	// A new member resumes exactly at the offsets committed before the broker crashed (c1 and c2 read
	// further but did not commit it).
	produce(bootstrap, 1, func(int) int { return perPhase / 2 }, toEnd)
	fresh := newTally()
	startMember(bootstrap, "c4", fresh)
	waitSplit("new member c4")
	seen := committed(bootstrap)
	fmt.Printf("committed offsets seen after the restart: %v\n", seen)
	if fmt.Sprint(seen) != fmt.Sprint(head) {
		check.problem("committed offsets after the broker restart: saw %v, expected %v", seen, head)
	}
	rest := map[[2]int64]bool{}
	for p := 0; p < partitions; p++ {
		for o := head[int32(p)]; o < 2*perPhase; o++ {
			rest[[2]int64{int64(p), o}] = true
		}
	}
	waitUntil("c4 consumes from the committed offsets", func() bool { return fresh.hasAll(rest) })
	time.Sleep(500 * time.Millisecond)
	fresh.exactlyOnce(check, "c4 resuming at the committed offsets", rest)
	live["c4"].close()
	broker.stop(false)
	if len(check.problems) > 0 {
		fmt.Fprintf(os.Stderr, "--- last lines of the broker log\n%s", broker.logTail(30))
	}
	check.finish()
}
