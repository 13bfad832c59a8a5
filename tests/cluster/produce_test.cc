// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "cluster_fixture.h"
#include "eddy/error_code.h"
#include "error_code_value.h"

namespace eddy::cluster::test {
namespace {

TEST_CASE("a produced batch of every codec is stored compressed as sent and assigned offsets") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    int64_t expected = 0;
    for (auto c : {record::compression::none, record::compression::gzip, record::compression::snappy,
                   record::compression::lz4, record::compression::zstd}) {
        CAPTURE(to_string(c));
        auto resp = f.produce("t1", 0, simple_batch(5, 100, c));
        const auto& pr = resp.responses.at(0).partition_responses.at(0);
        CHECK(pr.error_code == 0);
        CHECK(pr.base_offset == expected);
        CHECK(pr.log_start_offset == 0);
        CHECK(pr.log_append_time_ms == -1);
        expected += 5;
    }
    fetched got = f.fetch_one("t1", 0, 0);
    CHECK(got.partition().error_code == 0);
    CHECK(got.partition().high_watermark == 25);
    CHECK(got.partition().last_stable_offset == 25);
    CHECK(got.partition().log_start_offset == 0);
    auto batches = batches_in(got.partition().records);
    REQUIRE(batches.size() == 5);
    CHECK(batches[1].codec == record::compression::gzip);
    CHECK(batches[4].codec == record::compression::zstd);
    CHECK(batches[4].base_offset == 20);
    CHECK(batches[4].last_offset == 24);
}

TEST_CASE("a produce to a topic that does not exist gets UNKNOWN_TOPIC_OR_PARTITION") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    CHECK(f.produce_error("nope", 0, simple_batch()) == code(error_code::unknown_topic_or_partition));
    CHECK(f.produce_error("t1", 3, simple_batch()) == code(error_code::unknown_topic_or_partition));
}

TEST_CASE("a produce to a partition another broker leads gets NOT_LEADER_OR_FOLLOWER") {
    cluster_fixture f;
    f.create_topic({.name = "elsewhere", .leader = 2, .isr = {2}});
    CHECK(f.produce_error("elsewhere", 0, simple_batch()) == code(error_code::not_leader_or_follower));
}

TEST_CASE("clients may not produce to an internal topic (INVALID_TOPIC_EXCEPTION)") {
    cluster_fixture f;
    f.create_topic({.name = "__consumer_offsets"});
    CHECK(f.produce_error("__consumer_offsets", 0, simple_batch()) == code(error_code::invalid_topic_exception));
}

TEST_CASE("a batch with a bad CRC gets CORRUPT_MESSAGE and is not stored") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    auto batch = simple_batch(3);
    batch.back() ^= 0xff;
    auto resp = f.produce("t1", 0, batch);
    const auto& pr = resp.responses.at(0).partition_responses.at(0);
    CHECK(pr.error_code == code(error_code::corrupt_message));
    CHECK(pr.base_offset == -1);
    CHECK(f.fetch_one("t1", 0, 0).partition().high_watermark == 0);
}

TEST_CASE("one request to many partitions answers each in request order, failures beside successes") {
    // The partitions are appended side by side on their executors (three threads here);
    // the answer must still line up with the request. A partition named twice is appended
    // and answered once, with its last batch: Kafka's KafkaApis keeps a map of partitions.
    cluster_fixture f(3);
    f.create_topic({.name = "a", .partitions = 3});
    f.create_topic({.name = "b", .partitions = 2});
    std::vector<std::vector<uint8_t>> keep;
    msg::produce_request req;
    req.acks = -1;
    req.timeout_ms = 30000;
    auto add = [&](size_t topic, int32_t partition, std::vector<uint8_t> batch) {
        keep.push_back(std::move(batch));
        auto& p = req.topic_data.at(topic).partition_data.emplace_back();
        p.index = partition;
        p.records = codec::bytes_view{keep.back().data(), keep.back().size(), false};
    };
    keep.reserve(8);
    req.topic_data.emplace_back().name = "a";
    req.topic_data.emplace_back().name = "b";
    add(0, 2, simple_batch(2));
    add(0, 0, simple_batch(3));
    add(0, 5, simple_batch(1));
    add(0, 1, simple_batch(4));
    add(0, 0, simple_batch(5));
    auto corrupt = simple_batch(2);
    corrupt.back() ^= 0xff;
    add(1, 1, simple_batch(6));
    add(1, 0, corrupt);

    msg::produce_response resp = f.produce(std::move(req));
    REQUIRE(resp.responses.size() == 2);
    CHECK(resp.responses[0].name == "a");
    CHECK(resp.responses[1].name == "b");
    struct expected {
        int32_t index;
        error_code error;
        int64_t base_offset;
    };
    const std::vector<expected> want_a{{2, error_code::none, 0},
                                       {5, error_code::unknown_topic_or_partition, -1},
                                       {1, error_code::none, 0},
                                       {0, error_code::none, 0}};
    const std::vector<expected> want_b{{1, error_code::none, 0}, {0, error_code::corrupt_message, -1}};
    for (size_t t = 0; t < 2; ++t) {
        const auto& want = t == 0 ? want_a : want_b;
        const auto& got = resp.responses[t].partition_responses;
        REQUIRE(got.size() == want.size());
        for (size_t i = 0; i < want.size(); ++i) {
            CAPTURE(t);
            CAPTURE(i);
            CHECK(got[i].index == want[i].index);
            CHECK(got[i].error_code == code(want[i].error));
            CHECK(got[i].base_offset == want[i].base_offset);
        }
    }
    auto batches = batches_in(f.fetch_one("a", 0, 0).partition().records);
    REQUIRE(batches.size() == 1);
    CHECK(batches[0].last_offset == 4);
    CHECK(f.fetch_one("b", 0, 0).partition().high_watermark == 0);
    CHECK(f.fetch_one("b", 1, 0).partition().high_watermark == 6);
}

TEST_CASE("a topic named in several entries is answered in one, each partition once") {
    // Kafka's ProduceResponse holds each topic once; of a partition named twice only the
    // last mention is appended.
    cluster_fixture f;
    f.create_topic({.name = "a", .partitions = 2});
    std::vector<uint8_t> first = simple_batch(2);
    std::vector<uint8_t> other = simple_batch(4);
    std::vector<uint8_t> last = simple_batch(3);
    msg::produce_request req;
    req.acks = 1;
    req.timeout_ms = 30000;
    auto mention = [&](int32_t index, std::vector<uint8_t>& b) {
        auto& topic = req.topic_data.emplace_back();
        topic.name = "a";
        auto& p = topic.partition_data.emplace_back();
        p.index = index;
        p.records = codec::bytes_view{b.data(), b.size(), false};
    };
    mention(0, first);
    mention(1, other);
    mention(0, last);
    req.topic_data.emplace_back().name = "a";  // no partitions
    msg::produce_response resp = f.produce(std::move(req));
    REQUIRE(resp.responses.size() == 1);
    const auto& parts = resp.responses[0].partition_responses;
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].index == 1);
    CHECK(parts[1].index == 0);
    CHECK(parts[1].base_offset == 0);
    CHECK(f.fetch_one("a", 0, 0).partition().high_watermark == 3);
    CHECK(f.fetch_one("a", 1, 0).partition().high_watermark == 4);
}

TEST_CASE("a batch above max.message.bytes gets MESSAGE_TOO_LARGE") {
    cluster_fixture f;
    f.create_topic({.name = "small", .configs = {{"max.message.bytes", "500"}}});
    CHECK(f.produce_error("small", 0, simple_batch(1, 1000)) == code(error_code::message_too_large));
    CHECK(f.produce_error("small", 0, simple_batch(1, 10)) == 0);
}

TEST_CASE("failed appends carry the log start offset and an error message only where Kafka's do") {
    cluster_fixture f;
    f.create_topic({.name = "small", .configs = {{"max.message.bytes", "500"}}});
    f.create_topic({.name = "ts", .configs = {{"message.timestamp.before.max.ms", "60000"}}});
    REQUIRE(f.produce_error("ts", 0, simple_batch(3)) == 0);
    REQUIRE(f.delete_records("ts", 0, 2).topics.at(0).partitions.at(0).error_code == 0);
    // ReplicaManager answers these with UNKNOWN_LOG_APPEND_INFO: no log start offset.
    auto big = f.produce("small", 0, simple_batch(1, 1000)).responses.at(0).partition_responses.at(0);
    CHECK(big.error_code == code(error_code::message_too_large));
    CHECK(big.log_start_offset == -1);
    CHECK_FALSE(big.error_message);
    // Per-record errors (RecordValidationException) carry the log start and a message.
    auto old = f.produce("ts", 0, simple_batch(2, 10, record::compression::none, 1000))
                   .responses.at(0).partition_responses.at(0);
    CHECK(old.error_code == code(error_code::invalid_timestamp));
    CHECK(old.log_start_offset == 2);
    CHECK(old.error_message);
    CHECK(old.record_errors.size() == 2);
}

TEST_CASE("a record set that is not one magic-2 batch is refused before acks are looked at") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    std::vector<uint8_t> two = simple_batch();
    std::vector<uint8_t> second = simple_batch();
    two.insert(two.end(), second.begin(), second.end());
    // KafkaApis runs ProduceRequest.validateRecords before ReplicaManager checks acks.
    auto pr = f.produce("t1", 0, two, 2).responses.at(0).partition_responses.at(0);
    CHECK(pr.error_code == code(error_code::invalid_record));
    CHECK(pr.log_start_offset == -1);
    CHECK_FALSE(pr.error_message);
    CHECK(f.produce_error("t1", 0, simple_batch(), 2) == code(error_code::invalid_required_acks));
}

TEST_CASE("a batch larger than segment.bytes gets RECORD_LIST_TOO_LARGE") {
    cluster_fixture f;
    f.create_topic({.name = "seg", .configs = {{"segment.bytes", "14"}, {"max.message.bytes", "100000"}}});
    CHECK(f.produce_error("seg", 0, simple_batch(1, 2000)) == code(error_code::record_list_too_large));
}

TEST_CASE("a timestamp outside message.timestamp.before.max.ms gets INVALID_TIMESTAMP with record errors") {
    cluster_fixture f;
    f.create_topic({.name = "ts", .configs = {{"message.timestamp.before.max.ms", "60000"}}});
    auto resp = f.produce("ts", 0, simple_batch(2, 10, record::compression::none, 1000));
    const auto& pr = resp.responses.at(0).partition_responses.at(0);
    CHECK(pr.error_code == code(error_code::invalid_timestamp));
    CHECK(pr.record_errors.size() == 2);
}

TEST_CASE("LogAppendTime topics stamp the broker's time and report it") {
    cluster_fixture f;
    f.create_topic({.name = "lat", .configs = {{"message.timestamp.type", "LogAppendTime"}}});
    int64_t before = now_ms();
    auto resp = f.produce("lat", 0, simple_batch(2, 10, record::compression::none, 1000));
    const auto& pr = resp.responses.at(0).partition_responses.at(0);
    REQUIRE(pr.error_code == 0);
    CHECK(pr.log_append_time_ms >= before);
    auto batches = batches_in(f.fetch_one("lat", 0, 0).partition().records);
    REQUIRE(batches.size() == 1);
    CHECK(batches[0].max_timestamp == pr.log_append_time_ms);
}

TEST_CASE("acks=all below min.insync.replicas gets NOT_ENOUGH_REPLICAS, acks=1 is accepted") {
    cluster_fixture f;
    f.create_topic({.name = "isr", .configs = {{"min.insync.replicas", "2"}}, .isr = {1}, .replicas = {1, 2}});
    CHECK(f.produce_error("isr", 0, simple_batch(), -1) == code(error_code::not_enough_replicas));
    CHECK(f.produce_error("isr", 0, simple_batch(), 1) == 0);
}

TEST_CASE("min.insync.replicas above the replica count counts as the replica count") {
    // Kafka's effectiveMinIsr: one replica takes acks=all at min.insync.replicas=2.
    cluster_fixture f;
    f.create_topic({.name = "one", .configs = {{"min.insync.replicas", "2"}}});
    CHECK(f.produce_error("one", 0, simple_batch(), -1) == 0);
}

TEST_CASE("an acks value other than -1, 0 and 1 gets INVALID_REQUIRED_ACKS") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    CHECK(f.produce_error("t1", 0, simple_batch(), 2) == code(error_code::invalid_required_acks));
    // A partition the broker does not know keeps its own error, as Kafka's KafkaApis
    // answers it before ReplicaManager checks acks.
    CHECK(f.produce_error("missing", 0, simple_batch(), 2) == code(error_code::unknown_topic_or_partition));
    CHECK(f.produce_error("t1", 7, simple_batch(), 2) == code(error_code::unknown_topic_or_partition));
}

TEST_CASE("an idempotent batch keeps its producer id and sequence as sent") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    record::test::test_batch b;
    b.base_timestamp = now_ms();
    b.producer_id = 4000;
    b.producer_epoch = 3;
    b.base_sequence = 0;
    b.records.emplace_back(std::string("k"), std::string("v"));
    REQUIRE(f.produce_error("t1", 0, record::test::build_batch(b)) == 0);
    fetched got = f.fetch_one("t1", 0, 0);
    record::batch_view v(got.partition().records.data, got.partition().records.size);
    CHECK(v.producer_id() == 4000);
    CHECK(v.producer_epoch() == 3);
    CHECK(v.crc_ok());
}

}  // namespace
}  // namespace eddy::cluster::test
