// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Sarama: client.GetOffset (ListOffsets v1) for oldest, newest and timestamps on records with known timestamps.
// The records and lookups are those of compat/lib/records.py (time_record, time_queries).

package main

import (
	"fmt"
	"os"
	"time"

	"github.com/Shopify/sarama"
)

const (
	partitions = 3
	timeCount  = 100
)

func main() {
	expect := readExpectations()
	check := &checker{expect: expect}
	enableDebugLog()
	mock := brokerIsMock()
	topic := runTopic("compat-oft-sarama-")
	config := scenarioConfig(mock)
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Partitioner = sarama.NewManualPartitioner
	config.Producer.Return.Successes = true
	fmt.Printf("topic %s\n", topic)

	if !mock { // the mock has no CreateTopics; it creates a topic when Metadata names it
		admin, err := sarama.NewClusterAdmin([]string{expect.bootstrap}, config)
		if err != nil {
			fail("NewClusterAdmin: %v", err)
		}
		if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false); err != nil {
			fail("CreateTopic: %v", err)
		}
		admin.Close()
	}

	base := time.Now().Unix()*1000 - 50000
	producer, err := sarama.NewSyncProducer([]string{expect.bootstrap}, config)
	if err != nil {
		fail("NewSyncProducer: %v", err)
	}
	var messages []*sarama.ProducerMessage
	for p := 0; p < partitions; p++ {
		for j := 0; j < timeCount; j++ {
			ts := base + 1000*int64(p) + 10*int64(j/2)
			messages = append(messages, &sarama.ProducerMessage{Topic: topic, Partition: int32(p),
				Key: sarama.StringEncoder(fmt.Sprintf("t-%d-%d", p, j)), Value: sarama.StringEncoder(fmt.Sprintf("time %d %d", p, j)),
				Timestamp: time.Unix(0, ts*int64(time.Millisecond))})
		}
	}
	if err := producer.SendMessages(messages); err != nil {
		fail("SendMessages: %v", err)
	}
	producer.Close()
	fmt.Printf("produced %d records to each of %d partitions, base timestamp %d\n", timeCount, partitions, base)

	client, err := sarama.NewClient([]string{expect.bootstrap}, config)
	if err != nil {
		fail("NewClient: %v", err)
	}
	defer client.Close()
	byTimestamp := false
	type answer struct {
		p             int32
		ts, got, want int64
	}
	var answers []answer
	for p := int32(0); p < partitions; p++ {
		oldest, err1 := client.GetOffset(topic, p, sarama.OffsetOldest)
		newest, err2 := client.GetOffset(topic, p, sarama.OffsetNewest)
		fmt.Printf("partition %d: oldest %d (%v), newest %d (%v)\n", p, oldest, err1, newest, err2)
		if err1 != nil || err2 != nil || oldest != 0 || newest != timeCount {
			check.problem("partition %d: oldest %d (%v), newest %d (%v), expected 0 and %d", p, oldest, err1, newest, err2, timeCount)
		}
		first := base + 1000*int64(p)
		lastPair := int64((timeCount - 1) / 2)
		queries := [][2]int64{{first - 1, 0}, {first, 0}, {first + 70, 14}, {first + 75, 16},
			{first + 10*lastPair, 2 * lastPair}, {first + 10*lastPair + 1, -1}} // -1: no record that late
		for _, q := range queries {
			got, err := client.GetOffset(topic, p, q[0])
			if err != nil {
				check.problem("partition %d GetOffset(base%+d): %v", p, q[0]-base, err)
				continue
			}
			fmt.Printf("partition %d timestamp base%+d: offset %d\n", p, q[0]-base, got)
			byTimestamp = byTimestamp || got >= 0
			answers = append(answers, answer{p, q[0], got, q[1]})
		}
	}
	if mock && !byTimestamp && len(check.problems) == 0 {
		fmt.Println("SKIP: librdkafka 2.0's mock cluster does not look offsets up by timestamp (it answers -1)")
		os.Exit(77)
	}
	for _, a := range answers {
		if a.got != a.want {
			check.problem("partition %d offset for timestamp base%+d: saw %d, expected %d", a.p, a.ts-base, a.got, a.want)
		}
	}
	check.finish()
}
