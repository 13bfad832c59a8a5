// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Sarama ClusterAdmin (configured as Kafka 2.0): create a topic with 3 partitions, see it in
// metadata, describe and alter a config, add partitions, delete it and see it gone.

package main

import (
	"fmt"

	"github.com/Shopify/sarama"
)

func main() {
	expect, check, config := startAdminScenario()
	topic := runTopic("compat-topics-")

	admin, err := sarama.NewClusterAdmin([]string{expect.bootstrap}, config)
	if err != nil {
		fail("NewClusterAdmin: %v", err)
	}
	defer admin.Close()

	partitions := func() int {
		md, err := admin.DescribeTopics([]string{topic})
		if err != nil {
			fail("DescribeTopics: %v", err)
		}
		if len(md) != 1 || md[0].Err != sarama.ErrNoError {
			return -1
		}
		return len(md[0].Partitions)
	}
	retention := func() string {
		entries, err := admin.DescribeConfig(sarama.ConfigResource{
			Type: sarama.TopicResource, Name: topic, ConfigNames: []string{"retention.ms"}})
		if err != nil {
			fail("DescribeConfig: %v", err)
		}
		for _, e := range entries {
			if e.Name == "retention.ms" {
				return e.Value
			}
		}
		return "<missing>"
	}

	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false); err != nil {
		fail("CreateTopic: %v", err)
	}
	n := partitions()
	fmt.Printf("created %s: %d partitions (Sarama 1.22 exposes no topic ids)\n", topic, n)
	if n != 3 {
		check.problem("partitions after create: saw %d, expected 3", n)
	}

	value := retention()
	fmt.Printf("retention.ms = %s\n", value)
	if value != "604800000" {
		check.problem("default retention.ms: saw %s, expected 604800000", value)
	}
	newValue := "3600000"
	if err := admin.AlterConfig(sarama.TopicResource, topic, map[string]*string{"retention.ms": &newValue}, false); err != nil {
		fail("AlterConfig: %v", err)
	}
	value = retention()
	fmt.Printf("after AlterConfig: retention.ms = %s\n", value)
	if value != newValue {
		check.problem("retention.ms after AlterConfig: saw %s, expected %s", value, newValue)
	}

	if err := admin.CreatePartitions(topic, 5, nil, false); err != nil {
		fail("CreatePartitions: %v", err)
	}
	n = partitions()
	fmt.Printf("after CreatePartitions: %d partitions\n", n)
	if n != 5 {
		check.problem("partitions after CreatePartitions: saw %d, expected 5", n)
	}

	if err := admin.DeleteTopic(topic); err != nil {
		fail("DeleteTopic: %v", err)
	}
	topics, err := admin.ListTopics()
	if err != nil {
		fail("ListTopics: %v", err)
	}
	_, present := topics[topic]
	fmt.Printf("after DeleteTopic: present=%v\n", present)
	if present {
		check.problem("%s still listed after DeleteTopic", topic)
	}
	check.finish()
}
