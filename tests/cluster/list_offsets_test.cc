// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "cluster_fixture.h"
#include "eddy/error_code.h"

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

    auto max = one(f.list_offsets("t1", 0, -3));
    CHECK(max.timestamp == base + 100);
    CHECK(max.offset == 3);

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

TEST_CASE("OffsetForLeaderEpoch gives the end of the requested epoch") {
    cluster_fixture f;
    f.create_topic({.name = "t1", .leader_epoch = 2});
    REQUIRE(f.produce_error("t1", 0, simple_batch(3)) == 0);
    auto r = f.offset_for_epoch("t1", 0, 2).topics.at(0).partitions.at(0);
    CHECK(r.error_code == 0);
    CHECK(r.leader_epoch == 2);
    CHECK(r.end_offset == 3);
    auto older = f.offset_for_epoch("t1", 0, 1).topics.at(0).partitions.at(0);
    CHECK(older.end_offset == 0);
}

}  // namespace
}  // namespace eddy::cluster::test
