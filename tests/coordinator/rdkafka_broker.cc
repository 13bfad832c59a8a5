// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "rdkafka_broker.h"

#include <doctest/doctest.h>

namespace eddy::coordinator_test {

rk_ptr make_consumer(const std::string& bootstrap, const std::string& group, const settings& extra) {
    settings all{{"group.id", group},
                 {"auto.offset.reset", "earliest"},
                 {"session.timeout.ms", "6000"},
                 {"heartbeat.interval.ms", "500"}};
    all.insert(all.end(), extra.begin(), extra.end());
    rk_ptr rk = make_client(RD_KAFKA_CONSUMER, bootstrap, all);
    rd_kafka_poll_set_consumer(rk.get());
    return rk;
}

void produce(const std::string& bootstrap, const std::string& topic, int partitions,
             const std::vector<std::string>& values) {
    rk_ptr producer = make_client(RD_KAFKA_PRODUCER, bootstrap);
    cluster::test::delivery counted;
    for (size_t i = 0; i < values.size(); ++i) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
            RD_KAFKA_V_PARTITION(static_cast<int32_t>(i % partitions)),
            RD_KAFKA_V_VALUE(const_cast<char*>(values[i].data()), values[i].size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&counted), RD_KAFKA_V_END);
        REQUIRE(e == RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    REQUIRE(rd_kafka_flush(producer.get(), 30000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK(counted.failed == 0);
    CHECK(counted.delivered == static_cast<int>(values.size()));
}

void subscribe(rd_kafka_t* consumer, const std::string& topic) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), RD_KAFKA_PARTITION_UA);
    REQUIRE(rd_kafka_subscribe(consumer, list) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(list);
}

}  // namespace eddy::coordinator_test
