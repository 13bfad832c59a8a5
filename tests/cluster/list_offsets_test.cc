// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "cluster_fixture.h"
#include "eddy/error_code.h"
#include "error_code_value.h"

namespace eddy::cluster::test {
namespace {

using part_resp = msg::list_offsets_response::list_offsets_partition_response;

part_resp one(const msg::list_offsets_response& r) { return r.topics.at(0).partitions.at(0); }

TEST_CASE("ListOffsets answers latest, earliest, earliest-local, max timestamp and by timestamp") {
    cluster_fixture f;
    f.create_topic({.name = "t1", .leader_epoch = 3});
    int64_t base = now_ms() - 10'000;
    // Three batches of two records stamped base, base + 100 and base + 50.
    REQUIRE(f.produce_error("t1", 0, simple_batch(2, 10, record::compression::none, base)) == 0);
    REQUIRE(f.produce_error("t1", 0, simple_batch(2, 10, record::compression::none, base + 100)) == 0);
    REQUIRE(f.produce_error("t1", 0, simple_batch(2, 10, record::compression::none, base + 50)) == 0);

    auto latest = one(f.list_offsets("t1", 0, -1));
    CHECK(latest.error_code == 0);
    CHECK(latest.offset == 6);
    CHECK(latest.timestamp == -1);
    CHECK(latest.leader_epoch == 3);
    CHECK(one(f.list_offsets("t1", 0, -2)).offset == 0);
    CHECK(one(f.list_offsets("t1", 0, -4)).offset == 0);

    // The first record of the max timestamp (both records of the second batch have it),
    // with that batch's epoch.
    auto max = one(f.list_offsets("t1", 0, -3));
    CHECK(max.timestamp == base + 100);
    CHECK(max.offset == 2);
    CHECK(max.leader_epoch == 3);

    auto by_time = one(f.list_offsets("t1", 0, base + 60));
    CHECK(by_time.offset == 2);
    CHECK(by_time.timestamp == base + 100);
    // Inside a batch: the first record at or after the target, not the batch start.
    record::test::test_batch spread;
    spread.base_timestamp = base + 200;
    for (int i = 0; i < 4; ++i) spread.records.emplace_back(std::string("k"), std::string("v"), i * 10);
    spread.codec = record::compression::lz4;
    REQUIRE(f.produce_error("t1", 0, record::test::build_batch(spread)) == 0);
    auto inside = one(f.list_offsets("t1", 0, base + 215));
    CHECK(inside.offset == 8);
    CHECK(inside.timestamp == base + 220);
    auto none = one(f.list_offsets("t1", 0, base + 100000));
    CHECK(none.error_code == 0);
    CHECK(none.offset == -1);
    CHECK(none.timestamp == -1);

    CHECK(one(f.list_offsets("nope", 0, -1)).error_code ==
          static_cast<int16_t>(error_code::unknown_topic_or_partition));
}

// Kafka's UnifiedLog.fetchOffsetByTimestamp without tiered storage, and
// ReplicaManager.isListOffsetsTimestampUnsupported for the versions.
TEST_CASE("ListOffsets answers latest-tiered with -1 and refuses special timestamps its version lacks") {
    cluster_fixture f;
    f.create_topic({.name = "t1", .leader_epoch = 2});
    REQUIRE(f.produce_error("t1", 0, simple_batch(3)) == 0);
    auto tiered = one(f.list_offsets("t1", 0, -5));
    CHECK(tiered.error_code == 0);
    CHECK(tiered.offset == -1);
    CHECK(tiered.timestamp == -1);
    CHECK(tiered.leader_epoch == -1);

    const auto unsupported = static_cast<int16_t>(error_code::unsupported_version);
    CHECK(one(f.list_offsets("t1", 0, -5, 8)).error_code == unsupported);
    CHECK(one(f.list_offsets("t1", 0, -4, 7)).error_code == unsupported);
    CHECK(one(f.list_offsets("t1", 0, -4, 8)).offset == 0);
    CHECK(one(f.list_offsets("t1", 0, -3, 6)).error_code == unsupported);
    CHECK(one(f.list_offsets("t1", 0, -3, 7)).offset == 0);  // all three share the max timestamp
    CHECK(one(f.list_offsets("t1", 0, -1, 1)).offset == 3);
    CHECK(one(f.list_offsets("t1", 0, -6)).error_code == unsupported);
    CHECK(one(f.list_offsets("t1", 0, -1000)).error_code == unsupported);
}

// Kafka's ReplicaManager.fetchOffset keys its answers by partition.
TEST_CASE("ListOffsets answers a partition named twice once, with INVALID_REQUEST") {
    cluster_fixture f;
    f.create_topic({.name = "t1", .partitions = 2});
    REQUIRE(f.produce_error("t1", 1, simple_batch(3)) == 0);
    msg::list_offsets_request req;
    req.replica_id = -1;
    auto add = [&](int32_t partition) {
        auto& t = req.topics.emplace_back();
        t.name = "t1";
        t.partitions.emplace_back().partition_index = partition;
        t.partitions.back().timestamp = -1;
    };
    add(0);
    add(1);
    add(0);
    auto resp = f.list_offsets(std::move(req));
    REQUIRE(resp.topics.size() == 1);
    REQUIRE(resp.topics[0].partitions.size() == 2);
    const part_resp& dup = resp.topics[0].partitions[0];
    CHECK(dup.partition_index == 0);
    CHECK(dup.error_code == static_cast<int16_t>(error_code::invalid_request));
    CHECK(dup.offset == -1);
    CHECK(dup.timestamp == -1);
    const part_resp& single = resp.topics[0].partitions[1];
    CHECK(single.partition_index == 1);
    CHECK(single.error_code == 0);
    CHECK(single.offset == 3);
}

TEST_CASE("DeleteRecords moves the earliest offset; beyond the high watermark is OFFSET_OUT_OF_RANGE") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error("t1", 0, simple_batch(2)) == 0);
    auto d = f.delete_records("t1", 0, 3).topics.at(0).partitions.at(0);
    CHECK(d.error_code == 0);
    CHECK(d.low_watermark == 3);
    CHECK(one(f.list_offsets("t1", 0, -2)).offset == 3);
    d = f.delete_records("t1", 0, 100).topics.at(0).partitions.at(0);
    CHECK(d.error_code == static_cast<int16_t>(error_code::offset_out_of_range));
    d = f.delete_records("t1", 0, -1).topics.at(0).partitions.at(0);
    CHECK(d.low_watermark == 6);
}

TEST_CASE("a lookup by time skips what DeleteRecords removed from inside a batch") {
    // Kafka's searchForTimestamp: the first record at or after both the target and the log
    // start, batch after batch; MAX_TIMESTAMP names its record whatever the log start, with
    // its batch's leader epoch (the epoch cache starts at the log start by then).
    cluster_fixture f;
    f.create_topic({.name = "t1", .leader_epoch = 2});
    const int64_t base = now_ms() - 10'000;
    record::test::test_batch b;  // offsets 0-9 stamped base + i, but offset 2 at base + 1000
    b.base_timestamp = base;
    for (int i = 0; i < 10; ++i)
        b.records.emplace_back(std::string("k"), std::string("v"), i == 2 ? 1000 : i);
    REQUIRE(f.produce_error("t1", 0, record::test::build_batch(b)) == 0);
    REQUIRE(f.delete_records("t1", 0, 5).topics.at(0).partitions.at(0).error_code == 0);

    auto gone = one(f.list_offsets("t1", 0, base + 500));
    CHECK(gone.error_code == 0);
    CHECK(gone.offset == -1);
    CHECK(gone.timestamp == -1);
    auto max = one(f.list_offsets("t1", 0, -3));
    CHECK(max.offset == 2);
    CHECK(max.timestamp == base + 1000);
    CHECK(max.leader_epoch == 2);

    REQUIRE(f.produce_error("t1", 0, simple_batch(1, 10, record::compression::none, base + 2000)) == 0);
    auto next = one(f.list_offsets("t1", 0, base + 500));
    CHECK(next.offset == 10);
    CHECK(next.timestamp == base + 2000);
    CHECK(next.leader_epoch == 2);
    CHECK(one(f.list_offsets("t1", 0, base + 6)).offset == 6);
}

TEST_CASE("MAX_TIMESTAMP names a batch wholly below the log start, with that batch's epoch") {
    // Kafka reads the segment that holds the max timestamp, whatever the log start.
    cluster_fixture f;
    f.create_topic({.name = "t1", .leader_epoch = 4});
    const int64_t base = now_ms() - 10'000;
    REQUIRE(f.produce_error("t1", 0, simple_batch(1, 10, record::compression::none, base + 5000)) == 0);
    REQUIRE(f.produce_error("t1", 0, simple_batch(1, 10, record::compression::none, base + 1000)) == 0);
    REQUIRE(f.delete_records("t1", 0, 2).topics.at(0).partitions.at(0).error_code == 0);
    auto max = one(f.list_offsets("t1", 0, -3));
    CHECK(max.error_code == 0);
    CHECK(max.offset == 0);
    CHECK(max.timestamp == base + 5000);
    CHECK(max.leader_epoch == 4);
}

TEST_CASE("DeleteRecords on a compacted topic is a POLICY_VIOLATION") {
    cluster_fixture f;
    f.create_topic({.name = "c", .configs = {{"cleanup.policy", "compact"}}});
    record::test::test_batch b;
    b.base_timestamp = now_ms();
    b.records.emplace_back(std::string("k"), std::string("v"));
    REQUIRE(f.produce_error("c", 0, record::test::build_batch(b)) == 0);
    CHECK(f.delete_records("c", 0, 1).topics.at(0).partitions.at(0).error_code ==
          static_cast<int16_t>(error_code::policy_violation));
}

TEST_CASE("DeleteRecords on an internal topic is INVALID_TOPIC_EXCEPTION, whatever its policy") {
    cluster_fixture f;
    f.create_topic({.name = "__consumer_offsets"});  // cleanup.policy=delete
    auto d = f.delete_records("__consumer_offsets", 0, -1).topics.at(0).partitions.at(0);
    CHECK(d.error_code == static_cast<int16_t>(error_code::invalid_topic_exception));
    CHECK(d.low_watermark == -1);
    // A partition the topic lacks is still UNKNOWN_TOPIC_OR_PARTITION first, as in Kafka.
    CHECK(f.delete_records("__consumer_offsets", 7, -1).topics.at(0).partitions.at(0).error_code ==
          static_cast<int16_t>(error_code::unknown_topic_or_partition));
}

TEST_CASE("OffsetForLeaderEpoch gives the end of the requested epoch") {
    cluster_fixture f;
    f.create_topic({.name = "t1", .leader_epoch = 2});
    // Kafka starts the leader's epoch at the log end when it becomes leader: the epoch is
    // known before anything is appended in it.
    auto empty = f.offset_for_epoch("t1", 0, 2).topics.at(0).partitions.at(0);
    CHECK(empty.error_code == 0);
    CHECK(empty.leader_epoch == 2);
    CHECK(empty.end_offset == 0);
    REQUIRE(f.produce_error("t1", 0, simple_batch(3)) == 0);
    auto r = f.offset_for_epoch("t1", 0, 2).topics.at(0).partitions.at(0);
    CHECK(r.error_code == 0);
    CHECK(r.leader_epoch == 2);
    CHECK(r.end_offset == 3);
    auto older = f.offset_for_epoch("t1", 0, 1).topics.at(0).partitions.at(0);
    CHECK(older.end_offset == 0);
}

TEST_CASE("ListOffsets leaves out a topic without partitions; an unknown isolation level fails every entry") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    REQUIRE(f.produce_error("t1", 0, simple_batch(3)) == 0);
    auto request = [](int8_t isolation_level) {
        msg::list_offsets_request req;
        req.replica_id = -1;
        req.isolation_level = isolation_level;
        req.topics.emplace_back().name = "empty";
        auto& t = req.topics.emplace_back();
        t.name = "t1";
        t.partitions.emplace_back().timestamp = -1;
        return req;
    };
    auto ok = f.list_offsets(request(1));
    REQUIRE(ok.topics.size() == 1);
    CHECK(ok.topics[0].name == "t1");
    CHECK(ok.topics[0].partitions.at(0).offset == 3);

    // IsolationLevel.forId throws; Kafka's getErrorResponse answers every entry as sent.
    auto bad = f.list_offsets(request(2));
    REQUIRE(bad.topics.size() == 2);
    CHECK(bad.topics[0].partitions.empty());
    const part_resp& p = bad.topics[1].partitions.at(0);
    CHECK(p.error_code == code(error_code::unknown_server_error));
    CHECK(p.offset == -1);
    CHECK(p.timestamp == -1);
}

TEST_CASE("a current leader epoch below -1 is fenced in ListOffsets and OffsetForLeaderEpoch") {
    // Kafka reads only -1 as "not given" here (ReplicaManager); Fetch differs (fetch_test).
    cluster_fixture f;
    f.create_topic({.name = "t1", .leader_epoch = 3});
    for (int32_t epoch : {-1, -2}) {
        CAPTURE(epoch);
        const int16_t want = epoch == -1 ? 0 : code(error_code::fenced_leader_epoch);
        msg::list_offsets_request lo;
        lo.replica_id = -1;
        auto& lt = lo.topics.emplace_back();
        lt.name = "t1";
        auto& lp = lt.partitions.emplace_back();
        lp.timestamp = -1;
        lp.current_leader_epoch = epoch;
        CHECK(f.list_offsets(std::move(lo)).topics.at(0).partitions.at(0).error_code == want);

        msg::offset_for_leader_epoch_request oe;
        auto& et = oe.topics.emplace_back();
        et.topic = "t1";
        auto& ep = et.partitions.emplace_back();
        ep.leader_epoch = 3;
        ep.current_leader_epoch = epoch;
        CHECK(f.offset_for_epoch(std::move(oe)).topics.at(0).partitions.at(0).error_code == want);
    }
}

TEST_CASE("ListOffsets and OffsetForLeaderEpoch for many partitions answer each in request order") {
    // The partitions are looked up side by side on their executors (three threads here);
    // the answers must still line up with the request.
    cluster_fixture f(3);
    f.create_topic({.name = "m", .partitions = 3, .leader_epoch = 4});
    for (int32_t p = 0; p < 3; ++p)
        for (int32_t n = 0; n <= p; ++n) REQUIRE(f.produce_error("m", p, simple_batch(2)) == 0);
    const std::vector<int32_t> order{2, 7, 0, 1};  // 7 does not exist

    msg::list_offsets_request lo;
    lo.replica_id = -1;
    auto& lt = lo.topics.emplace_back();
    lt.name = "m";
    for (int32_t p : order) {
        auto& lp = lt.partitions.emplace_back();
        lp.partition_index = p;
        lp.timestamp = -1;  // latest
    }
    auto listed = f.list_offsets(std::move(lo)).topics.at(0).partitions;
    REQUIRE(listed.size() == order.size());

    msg::offset_for_leader_epoch_request oe;
    auto& et = oe.topics.emplace_back();
    et.topic = "m";
    for (int32_t p : order) {
        auto& ep = et.partitions.emplace_back();
        ep.partition = p;
        ep.leader_epoch = 4;
    }
    auto ends = f.offset_for_epoch(std::move(oe)).topics.at(0).partitions;
    REQUIRE(ends.size() == order.size());

    for (size_t i = 0; i < order.size(); ++i) {
        CAPTURE(order[i]);
        CHECK(listed[i].partition_index == order[i]);
        CHECK(ends[i].partition == order[i]);
        if (order[i] == 7) {
            CHECK(listed[i].error_code == code(error_code::unknown_topic_or_partition));
            CHECK(ends[i].error_code == code(error_code::unknown_topic_or_partition));
            continue;
        }
        const int64_t end = 2 * (order[i] + 1);
        CHECK(listed[i].error_code == 0);
        CHECK(listed[i].offset == end);
        CHECK(ends[i].error_code == 0);
        CHECK(ends[i].leader_epoch == 4);
        CHECK(ends[i].end_offset == end);
    }
}

TEST_CASE("DeleteRecords for many partitions answers each in request order") {
    // The partitions are trimmed side by side on their executors (three threads here).
    cluster_fixture f(3);
    f.create_topic({.name = "m", .partitions = 3});
    for (int32_t p = 0; p < 3; ++p)
        for (int32_t n = 0; n < 3; ++n) REQUIRE(f.produce_error("m", p, simple_batch(2)) == 0);
    // (partition, offset): 7 does not exist; -1 means the high watermark; 9 is past it.
    const std::vector<std::pair<int32_t, int64_t>> order{{2, 4}, {7, 1}, {0, -1}, {1, 9}};
    msg::delete_records_request req;
    auto& t = req.topics.emplace_back();
    t.name = "m";
    for (auto [p, offset] : order)
        t.partitions.push_back({.partition_index = p, .offset = offset, .unknown_tagged_fields = {}});
    auto answers = f.delete_records(std::move(req)).topics.at(0).partitions;
    REQUIRE(answers.size() == order.size());
    const std::vector<std::pair<int16_t, int64_t>> expected{
        {0, 4}, {code(error_code::unknown_topic_or_partition), -1}, {0, 6}, {code(error_code::offset_out_of_range), -1}};
    for (size_t i = 0; i < order.size(); ++i) {
        CAPTURE(order[i].first);
        CHECK(answers[i].partition_index == order[i].first);
        CHECK(answers[i].error_code == expected[i].first);
        CHECK(answers[i].low_watermark == expected[i].second);
    }
}

TEST_CASE("DeleteRecords answers a repeated topic once, an empty one not at all, and trims a repeated partition to its last offset") {
    // Kafka's KafkaApis keeps the partitions in a map and groups the answer by topic.
    cluster_fixture f;
    f.create_topic({.name = "r", .partitions = 2});
    for (int32_t p = 0; p < 2; ++p)
        for (int32_t n = 0; n < 3; ++n) REQUIRE(f.produce_error("r", p, simple_batch(2)) == 0);
    msg::delete_records_request req;
    auto mention = [&](int32_t p, int64_t offset) {
        auto& t = req.topics.emplace_back();
        t.name = "r";
        t.partitions.push_back({.partition_index = p, .offset = offset, .unknown_tagged_fields = {}});
    };
    mention(0, 4);
    mention(1, 2);
    mention(0, 2);  // lower than the first mention's: Kafka trims to this one only
    // A topic named with no partitions: Kafka groups its answer by partition, so it has
    // no entry.
    req.topics.emplace_back().name = "r-empty";
    auto answer = f.delete_records(std::move(req));
    REQUIRE(answer.topics.size() == 1);
    CHECK(answer.topics[0].name == "r");
    const auto& parts = answer.topics[0].partitions;
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].partition_index == 0);
    CHECK(parts[0].low_watermark == 2);
    CHECK(parts[1].partition_index == 1);
    CHECK(parts[1].low_watermark == 2);
    CHECK(one(f.list_offsets("r", 0, -2)).offset == 2);
}

}  // namespace
}  // namespace eddy::cluster::test
