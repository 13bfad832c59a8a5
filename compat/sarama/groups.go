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

const groupPartitions = 6

var (
	mock      = brokerIsMock()
	bootstrap []string
	topic     string
	groupID   string
	check     *checker
	started   []*member // every member, for their errors when a wait gives up
)

// offsets lists (partition, offset) of records start..stop-1 of the phases from..to in every partition.
func offsets(fromPhase, toPhase, start, stop, partitions int) map[[2]int64]bool {
	out := map[[2]int64]bool{}
	for phase := fromPhase; phase <= toPhase; phase++ {
		for p := 0; p < partitions; p++ {
			for i := start; i < stop; i++ {
				out[[2]int64{int64(p), int64(phase*perPhase + i)}] = true
			}
		}
	}
	return out
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
		m.tally.add(m.name, msg.Partition, msg.Offset, string(msg.Key), s.Claims()[topic])
		s.MarkOffset(msg.Topic, msg.Partition, msg.Offset+1, "")
	}
	return nil
}

func startMember(name string, t *tally) *member {
	group, err := sarama.NewConsumerGroup(bootstrap, groupID, groupConfig(name))
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
		for name, m := range members {
			seen[name] = m.assigned()
		}
		return isSplit(seen, partitions)
	})
	fmt.Printf("%s: %v\n", what, seen)
	return seen
}

func produce(phase, partitions int) {
	if _, err := producePhase(bootstrap, topic, partitions, phase, func(int) int { return 0 }, func(int) int { return perPhase }); err != nil {
		fail("%v", err)
	}
}

// committed returns the group's committed offset per partition (OffsetFetch).
func committed(client sarama.Client, partitions int) map[int32]int64 {
	out, err := fetchCommitted(client, groupID, topic, partitions)
	if err != nil {
		fail("%v", err)
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
		if admin, err = sarama.NewClusterAdmin(bootstrap, groupConfig("eddy-compat-admin")); err != nil {
			fail("NewClusterAdmin: %v", err)
		}
		if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: groupPartitions, ReplicationFactor: 1}, false); err != nil {
			fail("CreateTopic: %v", err)
		}
	}
	client, err := sarama.NewClient(bootstrap, groupConfig("eddy-compat"))
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
	t.exactlyOnce(check, "phase 0 with three members", want)
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
	t.exactlyOnce(check, "phases 0-1 after c3 left", want)

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
	after.exactlyOnce(check, "c4 resuming at the committed offsets", rest)

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
