// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: the librdkafka calls the group tests share, on top of the in-process broker
// and clients of tests/cluster/rdkafka_client.h.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <vector>

#include "rdkafka_client.h"

namespace eddy::coordinator_test {

using cluster::test::create_topic;
using cluster::test::make_client;
using cluster::test::rk_ptr;
using cluster::test::settings;
using cluster::test::test_broker;

// A consumer in `group` reading from the earliest offset, with the short session timeout
// Kafka's minimum allows.
rk_ptr make_consumer(const std::string& bootstrap, const std::string& group,
                     const settings& extra = {});
// Produces values[i] to partition i % partitions and waits until every one is delivered.
void produce(const std::string& bootstrap, const std::string& topic, int partitions,
             const std::vector<std::string>& values);
void subscribe(rd_kafka_t* consumer, const std::string& topic);

}  // namespace eddy::coordinator_test
