// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Sarama: three consumers of one group share a 6-partition topic, one leaves and its partitions move,
// committed offsets are where a new member resumes; list, describe and delete the group.
//
// Sarama 1.22.1 has sarama.NewConsumerGroup (since 1.19). It commits marked offsets every
// Consumer.Offsets.CommitInterval and when a session ends; the scenario waits until OffsetFetch shows a
// commit. Its ClusterAdmin has no DeleteConsumerGroup (1.23), so the group is deleted with
// Broker.DeleteGroups on the coordinator.

package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

const (
	groupPartitions = 6
	perPhase        = 20
	deadline        = 60 * time.Second // any single wait; only a hung test reaches it
)

var (
	mock      = brokerIsMock()
	bootstrap []string
	topic     string
	groupID   string
	check     *checker
	started   []*member // every member, for their errors when a wait gives up
)

func recordKey(phase, p, i int) string { return fmt.Sprintf("k%d-p%d-%04d", phase, p, i) }

// config is Kafka 2.0; with the mock cluster, 0.11, because the mock answers Metadata only up to v2.
func config(clientID string) *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = clientID
	c.Version = sarama.V2_0_0_0
	if mock {
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

// tally counts every record consumed, by (partition, offset), and checks its key against its offset.
type tally struct {
	mu       sync.Mutex
	count    map[[2]int64]int
	problems []string
}

func newTally() *tally { return &tally{count: map[[2]int64]int{}} }

func (t *tally) add(member string, p int32, offset int64, key []byte, held []int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.count[[2]int64{int64(p), offset}]++
	want := recordKey(int(offset)/perPhase, int(p), int(offset)%perPhase)
	if string(key) != want && len(t.problems) < 10 {
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

// offsets lists (partition, offset) of records start..stop-1 of the phases from..to in every partition.
func offsets(fromPhase, toPhase, start, stop, partitions int) [][2]int64 {
	var out [][2]int64
	for phase := fromPhase; phase <= toPhase; phase++ {
		for p := 0; p < partitions; p++ {
			for i := start; i < stop; i++ {
				out = append(out, [2]int64{int64(p), int64(phase*perPhase + i)})
			}
		}
	}
	return out
}

func (t *tally) hasAll(want [][2]int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, w := range want {
		if t.count[w] == 0 {
			return false
		}
	}
	return true
}

// exactlyOnce reports unless every wanted record was consumed once and nothing else was.
func (t *tally) exactlyOnce(what string, want [][2]int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	check.problems = append(check.problems, t.problems...)
	wanted := map[[2]int64]bool{}
	var missing, twice, extra [][2]int64
	for _, w := range want {
		wanted[w] = true
		if t.count[w] == 0 {
			missing = append(missing, w)
		}
	}
	for po, n := range t.count {
		if n > 1 {
			twice = append(twice, po)
		}
		if !wanted[po] {
			extra = append(extra, po)
		}
	}
	for _, bad := range []struct {
		what string
		list [][2]int64
	}{{"never consumed", missing}, {"consumed more than once", twice}, {"consumed that should not have been", extra}} {
		if len(bad.list) > 0 {
			sort.Slice(bad.list, func(i, j int) bool { return fmt.Sprint(bad.list[i]) < fmt.Sprint(bad.list[j]) })
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

// member is one consumer-group client whose Consume loop runs in its own goroutine.
type member struct {
	name    string
	group   sarama.ConsumerGroup
	cancel  context.CancelFunc
	done    chan struct{}
	tally   *tally
	mu      sync.Mutex
	claims  []int32
	session sarama.ConsumerGroupSession
	errs    []string
}

func (m *member) Setup(s sarama.ConsumerGroupSession) error {
	m.mu.Lock()
	m.claims, m.session = append([]int32(nil), s.Claims()[topic]...), s
	m.mu.Unlock()
	return nil
}

func (m *member) Cleanup(s sarama.ConsumerGroupSession) error {
	m.mu.Lock()
	m.claims, m.session = nil, nil
	m.mu.Unlock()
	return nil
}

func (m *member) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		m.tally.add(m.name, msg.Partition, msg.Offset, msg.Key, s.Claims()[topic])
		s.MarkOffset(msg.Topic, msg.Partition, msg.Offset+1, "")
	}
	return nil
}

func startMember(name string, t *tally) *member {
	group, err := sarama.NewConsumerGroup(bootstrap, groupID, config(name))
	if err != nil {
		fail("NewConsumerGroup %s: %v", name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &member{name: name, group: group, cancel: cancel, done: make(chan struct{}), tally: t}
	started = append(started, m)
	go func() {
		for err := range group.Errors() {
			m.mu.Lock()
			m.errs = append(m.errs, err.Error())
			m.mu.Unlock()
		}
	}()
	go func() {
		defer close(m.done)
		for ctx.Err() == nil { // each Consume is one generation; it returns when the group rebalances
			if err := group.Consume(ctx, []string{topic}, m); err != nil && ctx.Err() == nil {
				m.mu.Lock()
				m.errs = append(m.errs, "Consume: "+err.Error())
				m.mu.Unlock()
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	return m
}

// stop ends the session (committing what was marked) and leaves the group.
func (m *member) stop() {
	m.cancel()
	<-m.done
	if err := m.group.Close(); err != nil {
		check.problem("%s: Close: %v", m.name, err)
	}
}

func (m *member) assigned() []int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]int32(nil), m.claims...)
}

func waitUntil(what string, condition func() bool) {
	end := time.Now().Add(deadline)
	for !condition() {
		if time.Now().After(end) {
			for _, m := range started {
				m.mu.Lock()
				for _, e := range m.errs[:min(3, len(m.errs))] {
					check.problem("%s: %s", m.name, e)
				}
				m.mu.Unlock()
			}
			fail("%s: not reached after %v; %s", what, deadline, strings.Join(check.problems, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitSplit waits until the members' assignments split the topic's partitions among them.
func waitSplit(what string, members map[string]*member, partitions int) map[string][]int32 {
	var seen map[string][]int32
	waitUntil(what, func() bool {
		seen = map[string][]int32{}
		owners := map[int32]int{}
		for name, m := range members {
			seen[name] = m.assigned()
			if len(seen[name]) == 0 {
				return false
			}
			for _, p := range seen[name] {
				owners[p]++
			}
		}
		for p := 0; p < partitions; p++ {
			if owners[int32(p)] != 1 {
				return false
			}
		}
		return true
	})
	fmt.Printf("%s: %v\n", what, seen)
	return seen
}

func produce(phase, partitions int) {
	c := config("eddy-compat")
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Partitioner = sarama.NewManualPartitioner
	c.Producer.Return.Successes = true
	c.Net.MaxOpenRequests = 1
	producer, err := sarama.NewSyncProducer(bootstrap, c)
	if err != nil {
		fail("NewSyncProducer: %v", err)
	}
	var msgs []*sarama.ProducerMessage
	for p := 0; p < partitions; p++ {
		for i := 0; i < perPhase; i++ {
			k := recordKey(phase, p, i)
			msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Partition: int32(p), Key: sarama.StringEncoder(k),
				Value: sarama.StringEncoder(k + ":v")})
		}
	}
	if err := producer.SendMessages(msgs); err != nil {
		fail("produce phase %d: %v", phase, err)
	}
	producer.Close()
	fmt.Printf("produced phase %d: %d records in each of %d partitions\n", phase, perPhase, partitions)
}

// committed returns the group's committed offset per partition (OffsetFetch).
func committed(client sarama.Client, partitions int) map[int32]int64 {
	coordinator, err := client.Coordinator(groupID)
	if err != nil {
		fail("Coordinator: %v", err)
	}
	req := &sarama.OffsetFetchRequest{ConsumerGroup: groupID, Version: 1}
	for p := 0; p < partitions; p++ {
		req.AddPartition(topic, int32(p))
	}
	resp, err := coordinator.FetchOffset(req)
	if err != nil {
		fail("OffsetFetch: %v", err)
	}
	out := map[int32]int64{}
	for p := 0; p < partitions; p++ {
		if b := resp.GetBlock(topic, int32(p)); b != nil && b.Err == sarama.ErrNoError {
			out[int32(p)] = b.Offset
		}
	}
	return out
}

func waitCommitted(what string, client sarama.Client, partitions int, offset int64) {
	waitUntil(what, func() bool {
		got := committed(client, partitions)
		for p := 0; p < partitions; p++ {
			if got[int32(p)] != offset {
				return false
			}
		}
		return true
	})
	fmt.Printf("%s: every partition at %d\n", what, offset)
}

func describeGroup(admin sarama.ClusterAdmin) (listed string, d *sarama.GroupDescription) {
	all, err := admin.ListConsumerGroups()
	if err != nil {
		fail("ListConsumerGroups: %v", err)
	}
	ds, err := admin.DescribeConsumerGroups([]string{groupID})
	if err != nil || len(ds) != 1 {
		fail("DescribeConsumerGroups: %v (%d groups)", err, len(ds))
	}
	return all[groupID], ds[0]
}

func deleteGroup(client sarama.Client) sarama.KError {
	coordinator, err := client.Coordinator(groupID)
	if err != nil {
		fail("Coordinator: %v", err)
	}
	resp, err := coordinator.DeleteGroups(&sarama.DeleteGroupsRequest{Groups: []string{groupID}})
	if err != nil {
		fail("DeleteGroups: %v", err)
	}
	return resp.GroupErrorCodes[groupID]
}

func clientIDs(d *sarama.GroupDescription) []string {
	var ids []string
	for _, m := range d.Members {
		ids = append(ids, m.ClientId)
	}
	sort.Strings(ids)
	return ids
}

func memberErrors(members map[string]*member) {
	for _, m := range members {
		m.mu.Lock()
		for _, e := range m.errs {
			check.problem("%s: %s", m.name, e)
		}
		m.mu.Unlock()
	}
}

func main() {
	expect := readExpectations()
	check = &checker{expect: expect}
	if mock {
		// librdkafka's mock completes a sync on the leader's SyncGroup and answers a follower's later
		// SyncGroup with INVALID_REQUEST; Sarama's followers are always later, so the group never forms.
		fmt.Println("SKIP: the mock cluster answers SyncGroup of Sarama's followers with INVALID_REQUEST")
		os.Exit(77)
	}
	bootstrap = []string{expect.bootstrap}
	enableDebugLog()
	topic = runTopic("compat-groups-sarama-")
	groupID = topic
	fmt.Printf("topic and group %s\n", topic)

	var admin sarama.ClusterAdmin
	if !mock { // the mock has no CreateTopics and no group admin APIs; it creates a topic when Metadata names it
		var err error
		if admin, err = sarama.NewClusterAdmin(bootstrap, config("eddy-compat-admin")); err != nil {
			fail("NewClusterAdmin: %v", err)
		}
		if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: groupPartitions, ReplicationFactor: 1}, false); err != nil {
			fail("CreateTopic: %v", err)
		}
	}
	client, err := sarama.NewClient(bootstrap, config("eddy-compat"))
	if err != nil {
		fail("NewClient: %v", err)
	}
	if err := client.RefreshMetadata(topic); err != nil {
		fail("metadata: %v", err)
	}
	ids, err := client.Partitions(topic)
	if err != nil {
		fail("partitions: %v", err)
	}
	partitions := len(ids)
	fmt.Printf("%s has %d partitions\n", topic, partitions)

	t := newTally()
	members := map[string]*member{}
	for _, name := range []string{"c1", "c2", "c3"} {
		members[name] = startMember(name, t)
	}
	// Records are produced only once the group is stable, so no rebalance happens while they are consumed.
	first := waitSplit("three members", members, partitions)
	if admin != nil {
		listed, d := describeGroup(admin)
		fmt.Printf("ListConsumerGroups: %q; DescribeConsumerGroups: state %s, protocol %s/%s, members %v\n",
			listed, d.State, d.ProtocolType, d.Protocol, clientIDs(d))
		if listed != "consumer" || d.State != "Stable" || fmt.Sprint(clientIDs(d)) != "[c1 c2 c3]" {
			check.problem("group with three members: listed as %q, state %q, client ids %v (expected consumer, Stable, [c1 c2 c3])",
				listed, d.State, clientIDs(d))
		}
	}

	produce(0, partitions)
	want := offsets(0, 0, 0, perPhase, partitions)
	waitUntil("consume phase 0", func() bool { return t.hasAll(want) })
	t.exactlyOnce("phase 0 with three members", want)
	waitCommitted("phase 0 committed", client, partitions, perPhase)

	// c3 leaves: c1 and c2 take over its partitions and start where c3 committed.
	members["c3"].stop()
	delete(members, "c3")
	now := waitSplit("after c3 left", members, partitions)
	held := map[int32]bool{}
	for _, ps := range now {
		for _, p := range ps {
			held[p] = true
		}
	}
	for _, p := range first["c3"] {
		if !held[p] {
			check.problem("c3's partition %d not taken over", p)
		}
	}
	produce(1, partitions)
	want = offsets(0, 1, 0, perPhase, partitions)
	waitUntil("consume phase 1", func() bool { return t.hasAll(want) })
	t.exactlyOnce("phases 0-1 after c3 left", want)

	// Commit the middle of phase 2 (ResetOffset moves the mark back): a new member must resume exactly there.
	produce(2, partitions)
	want = offsets(0, 2, 0, perPhase, partitions)
	waitUntil("consume phase 2", func() bool { return t.hasAll(want) })
	middle := int64(2*perPhase + perPhase/2)
	for _, m := range members {
		m.mu.Lock()
		for _, p := range m.claims {
			m.session.ResetOffset(topic, p, middle, "")
		}
		m.mu.Unlock()
	}
	waitCommitted("middle of phase 2 committed", client, partitions, middle)
	memberErrors(members)
	for _, m := range members {
		m.stop()
	}

	after := newTally()
	newcomer := map[string]*member{"c4": startMember("c4", after)}
	waitSplit("new member c4", newcomer, partitions)
	rest := offsets(2, 2, perPhase/2, perPhase, partitions)
	waitUntil("c4 consumes from the committed offsets", func() bool { return after.hasAll(rest) })
	time.Sleep(500 * time.Millisecond) // anything before the committed offsets would show up too
	after.exactlyOnce("c4 resuming at the committed offsets", rest)

	if admin != nil {
		_, d := describeGroup(admin)
		fmt.Printf("with c4 alone: state %s, members %v\n", d.State, clientIDs(d))
		if fmt.Sprint(clientIDs(d)) != "[c4]" {
			check.problem("members with c4 alone: %v", clientIDs(d))
		}
		if e := deleteGroup(client); e != sarama.ErrNonEmptyGroup {
			check.problem("DeleteGroups of an active group: %v, expected %v", e, sarama.ErrNonEmptyGroup)
		}
	}
	memberErrors(newcomer)
	newcomer["c4"].stop()
	if admin != nil {
		_, d := describeGroup(admin)
		fmt.Printf("after every member left: state %s, %d members\n", d.State, len(d.Members))
		if d.State != "Empty" || len(d.Members) != 0 {
			check.problem("after every member left: state %q with %d members, expected Empty with none", d.State, len(d.Members))
		}
		if e := deleteGroup(client); e != sarama.ErrNoError {
			check.problem("DeleteGroups of the empty group: %v", e)
		}
		listed, _ := describeGroup(admin)
		fmt.Printf("after DeleteGroups: listed %q\n", listed)
		if listed != "" {
			check.problem("group still listed after DeleteGroups")
		}
		admin.DeleteTopic(topic)
		admin.Close()
	}
	client.Close()
	check.finish()
}
