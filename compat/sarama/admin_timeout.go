// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Sarama's raw CreateTopics, CreatePartitions and DeleteTopics with Timeout 0, which Sarama
// sends when an application builds the request itself and leaves the field unset. A KRaft
// controller runs the operation with the deadline "now + timeout", so it always times
// out: every topic gets REQUEST_TIMED_OUT and nothing changes. The same calls with a
// timeout then succeed.

package main

import (
	"fmt"
	"time"

	"github.com/Shopify/sarama"
)

func main() {
	expect, check, config := startAdminScenario()
	topic := runTopic("compat-admin-timeout-")

	client, err := sarama.NewClient([]string{expect.bootstrap}, config)
	if err != nil {
		fail("NewClient: %v", err)
	}
	defer client.Close()
	controller, err := client.Controller()
	if err != nil {
		fail("Controller: %v", err)
	}
	// Metadata without auto-creation (the client's own refresh would create the topic).
	partitions := func() int {
		md, err := controller.GetMetadata(&sarama.MetadataRequest{Version: 5, Topics: []string{topic}})
		if err != nil {
			fail("Metadata: %v", err)
		}
		if len(md.Topics) != 1 || md.Topics[0].Err != sarama.ErrNoError {
			return -1
		}
		return len(md.Topics[0].Partitions)
	}

	create := func(timeout time.Duration) sarama.KError {
		r, err := controller.CreateTopics(&sarama.CreateTopicsRequest{
			Version:      2,
			TopicDetails: map[string]*sarama.TopicDetail{topic: {NumPartitions: 3, ReplicationFactor: 1}},
			Timeout:      timeout,
		})
		if err != nil {
			fail("CreateTopics: %v", err)
		}
		if e, ok := r.TopicErrors[topic]; ok {
			return e.Err
		}
		return sarama.ErrNoError
	}
	grow := func(timeout time.Duration) sarama.KError {
		r, err := controller.CreatePartitions(&sarama.CreatePartitionsRequest{
			TopicPartitions: map[string]*sarama.TopicPartition{topic: {Count: 5}},
			Timeout:         timeout,
		})
		if err != nil {
			fail("CreatePartitions: %v", err)
		}
		if e, ok := r.TopicPartitionErrors[topic]; ok {
			return e.Err
		}
		return sarama.ErrNoError
	}
	remove := func(timeout time.Duration) sarama.KError {
		r, err := controller.DeleteTopics(&sarama.DeleteTopicsRequest{
			Version: 1, Topics: []string{topic}, Timeout: timeout})
		if err != nil {
			fail("DeleteTopics: %v", err)
		}
		return r.TopicErrorCodes[topic]
	}
	expectError := func(what string, got, want sarama.KError) {
		fmt.Printf("%s: %v\n", what, got)
		if got != want {
			check.problem("%s: saw %v, expected %v", what, got, want)
		}
	}

	expectError("CreateTopics, timeout 0", create(0), sarama.ErrRequestTimedOut)
	if n := partitions(); n != -1 {
		check.problem("after CreateTopics with timeout 0 the topic exists with %d partitions", n)
	}
	expectError("CreateTopics, timeout 30 s", create(30*time.Second), sarama.ErrNoError)
	fmt.Printf("partitions: %d\n", partitions())

	expectError("CreatePartitions to 5, timeout 0", grow(0), sarama.ErrRequestTimedOut)
	if n := partitions(); n != 3 {
		check.problem("after CreatePartitions with timeout 0: saw %d partitions, expected 3", n)
	}
	expectError("CreatePartitions to 5, timeout 30 s", grow(30*time.Second), sarama.ErrNoError)
	if n := partitions(); n != 5 {
		check.problem("after CreatePartitions: saw %d partitions, expected 5", n)
	}

	expectError("DeleteTopics, timeout 0", remove(0), sarama.ErrRequestTimedOut)
	if n := partitions(); n != 5 {
		check.problem("after DeleteTopics with timeout 0: saw %d partitions, expected 5", n)
	}
	expectError("DeleteTopics, timeout 30 s", remove(30*time.Second), sarama.ErrNoError)
	check.finish()
}
