// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Sarama: create a 3-partition topic, produce 10,000 keyed records with headers per codec, read all back.
//
// The records are those of compat/lib/records.py (see there); this file builds the same ones.
// Codecs: none, gzip, snappy, lz4. Not zstd: Sarama 1.22.1 sends at most Produce v3, and Kafka accepts
// zstd batches only from Produce v7 on (UNSUPPORTED_COMPRESSION_TYPE before).

package main

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/Shopify/sarama"
)

const (
	partitions = 3
	count      = 10000
)

var allCodecs = []string{"none", "gzip", "snappy", "lz4", "zstd"} // record timestamps follow this order
var codecs = map[string]sarama.CompressionCodec{"none": sarama.CompressionNone, "gzip": sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy, "lz4": sarama.CompressionLZ4}

type record struct {
	partition  int32
	key, value []byte
	headers    []sarama.RecordHeader
	timestamp  int64
}

func codecIndex(codec string) int {
	for i, c := range allCodecs {
		if c == codec {
			return i
		}
	}
	panic(codec)
}

func makeRecord(codec string, i int, base int64) record {
	return record{
		partition: int32(i % partitions),
		key:       []byte(fmt.Sprintf("%s-%05d", codec, i)),
		value:     []byte(fmt.Sprintf("%s:%d:", codec, i) + strings.Repeat("abcdefghij", 1+i%8)),
		headers: []sarama.RecordHeader{{Key: []byte("codec"), Value: []byte(codec)},
			{Key: []byte("seq"), Value: []byte(fmt.Sprint(i))}},
		timestamp: base + int64(codecIndex(codec))*count + int64(i),
	}
}

// brokerConfig is scenarioConfig with three metadata retries.
func brokerConfig(mock bool) *sarama.Config {
	config := scenarioConfig(mock)
	config.Metadata.Retry.Max = 3
	return config
}

func main() {
	expect := readExpectations()
	check := &checker{expect: expect}
	enableDebugLog()
	mock := brokerIsMock()
	topic := runTopic("compat-pc-sarama-")
	used := []string{"none", "gzip", "snappy", "lz4"}
	fmt.Printf("topic %s; codecs %v\n", topic, used)

	var admin sarama.ClusterAdmin
	if !mock { // the mock has no CreateTopics; it creates a topic when Metadata names it
		var err error
		admin, err = sarama.NewClusterAdmin([]string{expect.bootstrap}, brokerConfig(mock))
		if err != nil {
			fail("NewClusterAdmin: %v", err)
		}
		if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false); err != nil {
			fail("CreateTopic: %v", err)
		}
		fmt.Printf("created %s with %d partitions\n", topic, partitions)
	}

	base := time.Now().Unix()*1000 - int64(len(allCodecs))*count
	for _, codec := range used {
		config := brokerConfig(mock)
		config.Producer.RequiredAcks = sarama.WaitForAll
		config.Producer.Compression = codecs[codec]
		config.Producer.Partitioner = sarama.NewManualPartitioner
		config.Producer.Return.Successes = true
		config.Producer.Flush.Frequency = 5 * time.Millisecond
		config.Net.MaxOpenRequests = 1 // no reordering on a retry: the check expects send order per partition
		producer, err := sarama.NewAsyncProducer([]string{expect.bootstrap}, config)
		if err != nil {
			fail("NewAsyncProducer: %v", err)
		}
		go func() {
			for i := 0; i < count; i++ {
				r := makeRecord(codec, i, base)
				producer.Input() <- &sarama.ProducerMessage{Topic: topic, Partition: r.partition, Key: sarama.ByteEncoder(r.key),
					Value: sarama.ByteEncoder(r.value), Headers: r.headers, Timestamp: time.Unix(0, r.timestamp*int64(time.Millisecond))}
			}
		}()
		var failures []string
		for done := 0; done < count; done++ {
			select {
			case <-producer.Successes():
			case e := <-producer.Errors():
				failures = append(failures, e.Error())
			}
		}
		producer.Close()
		if len(failures) > 0 {
			fail("produce %s: %d failed, first: %s", codec, len(failures), failures[0])
		}
		fmt.Printf("produced %d records with %s\n", count, codec)
	}

	client, err := sarama.NewClient([]string{expect.bootstrap}, brokerConfig(mock))
	if err != nil {
		fail("NewClient: %v", err)
	}
	ids, err := client.Partitions(topic)
	if err != nil {
		fail("Partitions(%s): %v", topic, err)
	}
	fmt.Printf("%s has partitions %v\n", topic, ids)
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		fail("NewConsumer: %v", err)
	}
	for _, p := range ids {
		var want []record
		for _, codec := range used {
			for i := int(p); i < count && p < partitions; i += partitions {
				want = append(want, makeRecord(codec, i, base))
			}
		}
		pc, err := consumer.ConsumePartition(topic, p, 0)
		if err != nil {
			fail("ConsumePartition(%d): %v", p, err)
		}
		seen, reported := 0, 0
		lastOffset := int64(-1)
		idle := time.NewTimer(30 * time.Second)
		for seen < len(want) {
			select {
			case m := <-pc.Messages():
				if m.Offset <= lastOffset {
					check.problem("partition %d: offset %d after %d", p, m.Offset, lastOffset)
				}
				lastOffset = m.Offset
				if problem := compare(m, want[seen]); problem != "" && reported < 8 {
					check.problem("partition %d record #%d (offset %d):%s", p, seen, m.Offset, problem)
					reported++
				}
				seen++
			case e := <-pc.Errors():
				fail("partition %d: %v", p, e)
			case <-idle.C:
				fail("partition %d: nothing new for 30 s after %d of %d records", p, seen, len(want))
			}
		}
		idle.Stop()
		// Anything beyond what was sent would come with the next fetch.
		select {
		case m := <-pc.Messages():
			check.problem("partition %d: unexpected record at offset %d after the %d sent", p, m.Offset, len(want))
		case <-time.After(500 * time.Millisecond):
		}
		pc.Close()
		fmt.Printf("partition %d: %d records\n", p, seen)
	}
	consumer.Close()
	client.Close()

	if admin != nil {
		// Deleting is checked by the topics scenario; here it is only tidying up.
		if err := admin.DeleteTopic(topic); err != nil {
			fmt.Printf("DeleteTopic: %v (not checked here)\n", err)
		} else {
			fmt.Printf("deleted %s\n", topic)
		}
		admin.Close()
	}
	check.finish()
}

func compare(m *sarama.ConsumerMessage, want record) string {
	var b strings.Builder
	if !bytes.Equal(m.Key, want.key) {
		fmt.Fprintf(&b, " key %q != %q", m.Key, want.key)
	}
	if !bytes.Equal(m.Value, want.value) {
		fmt.Fprintf(&b, " value %q != %q", m.Value, want.value)
	}
	if ts := m.Timestamp.UnixNano() / int64(time.Millisecond); ts != want.timestamp {
		fmt.Fprintf(&b, " timestamp %d != %d", ts, want.timestamp)
	}
	var got []string
	for _, h := range m.Headers {
		got = append(got, fmt.Sprintf("%s=%s", h.Key, h.Value))
	}
	var wanted []string
	for _, h := range want.headers {
		wanted = append(wanted, fmt.Sprintf("%s=%s", h.Key, h.Value))
	}
	if strings.Join(got, ",") != strings.Join(wanted, ",") {
		fmt.Fprintf(&b, " headers %v != %v", got, wanted)
	}
	return b.String()
}
