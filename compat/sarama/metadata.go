// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Sarama (configured as Kafka 2.0): ApiVersions, cluster metadata, controller, ClusterAdmin.DescribeCluster.

package main

import (
	"fmt"
	"os"

	"github.com/Shopify/sarama"
)

func main() {
	expect := readExpectations()
	check := &checker{expect: expect}
	enableDebugLog()

	config := scenarioConfig(false) // Kafka 2.0 always: against the mock this scenario SKIPs below
	config.Metadata.Retry.Max = 2
	fmt.Printf("sarama (Debian golang-github-shopify-sarama-dev), config.Version %s\n", config.Version)

	// Sarama does not negotiate versions itself; ask directly so a broken ApiVersions shows up here.
	broker := sarama.NewBroker(expect.bootstrap)
	if err := broker.Open(config); err != nil {
		fail("open %s: %v", expect.bootstrap, err)
	}
	versions, err := broker.ApiVersions(&sarama.ApiVersionsRequest{})
	if err != nil {
		fail("ApiVersions v0: %v", err)
	}
	if versions.Err != sarama.ErrNoError {
		check.problem("ApiVersions error: %v", versions.Err)
	}
	fmt.Printf("ApiVersions: %d apis\n", len(versions.ApiVersions))
	for _, api := range versions.ApiVersions {
		// Sarama configured as Kafka >= 1.0 always sends Metadata v5, which librdkafka 2.0's mock lacks.
		if api.ApiKey == 3 && api.MaxVersion < 5 && brokerIsMock() {
			fmt.Printf("SKIP: the mock cluster has no Metadata v5 (max v%d)\n", api.MaxVersion)
			os.Exit(77)
		}
	}
	metadata, err := broker.GetMetadata(&sarama.MetadataRequest{Version: 5})
	if err != nil {
		fail("Metadata v5: %v", err)
	}
	var seen []brokerInfo
	for _, b := range metadata.Brokers {
		seen = append(seen, brokerInfo{b.ID(), b.Addr()})
	}
	clusterID := "<null>"
	if metadata.ClusterID != nil {
		clusterID = *metadata.ClusterID
	}
	fmt.Printf("Metadata v5: brokers %v, cluster id %q, controller %d\n", seen, clusterID, metadata.ControllerID)
	check.brokers("Metadata v5 brokers", seen)
	if metadata.ClusterID == nil || *metadata.ClusterID == "" {
		check.problem("cluster id should be a non-empty string, saw %s", clusterID)
	}
	check.controller("Metadata v5 controller id", metadata.ControllerID)
	broker.Close()

	client, err := sarama.NewClient([]string{expect.bootstrap}, config)
	if err != nil {
		fail("NewClient: %v", err)
	}
	defer client.Close()
	seen = nil
	for _, b := range client.Brokers() {
		seen = append(seen, brokerInfo{b.ID(), b.Addr()})
	}
	fmt.Printf("client.Brokers(): %v\n", seen)
	check.brokers("client.Brokers()", seen)
	if expect.checkController {
		// Controller() fails when the controller id names no broker, as with the mock cluster.
		controller, err := client.Controller()
		if err != nil {
			check.problem("client.Controller(): %v", err)
		} else {
			fmt.Printf("client.Controller(): %d@%s\n", controller.ID(), controller.Addr())
			check.controller("client.Controller()", controller.ID())
		}
	}

	admin, err := sarama.NewClusterAdmin([]string{expect.bootstrap}, config)
	if err != nil {
		fail("NewClusterAdmin: %v", err)
	}
	defer admin.Close()
	adminBrokers, controllerID, err := admin.DescribeCluster()
	if err != nil {
		fail("ClusterAdmin.DescribeCluster: %v", err)
	}
	seen = nil
	for _, b := range adminBrokers {
		seen = append(seen, brokerInfo{b.ID(), b.Addr()})
	}
	// This Sarama sends DescribeCluster's Metadata request as v0, which has no controller field;
	// it reports -1 then, whatever the broker knows.
	fmt.Printf("DescribeCluster (Metadata v0): brokers %v, controller %d\n", seen, controllerID)
	check.brokers("DescribeCluster brokers", seen)
	check.finish()
}
