// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The WriteTxnMarkers handler as a transaction coordinator sees it: one error per
// partition, grouped by producer id, for partitions led here, hosted elsewhere or unknown.
#include <doctest/doctest.h>

#include <map>

#include "broker/handlers/write_txn_markers.h"
#include "txn_helpers.h"
#include "error_code_value.h"

namespace eddy::cluster::test {
namespace {

using marker_request = msg::write_txn_markers_request::writable_txn_marker;

marker_request marker(int64_t pid, int16_t epoch, bool commit,
                      std::vector<std::pair<std::string, std::vector<int32_t>>> topics) {
    marker_request m;
    m.producer_id = pid;
    m.producer_epoch = epoch;
    m.transaction_result = commit;
    for (auto& [name, partitions] : topics)
        m.topics.push_back({.name = name, .partition_indexes = partitions, .unknown_tagged_fields = {}});
    return m;
}

// "pid topic-partition" -> error code, from the response.
std::map<std::string, int16_t> write_markers(cluster_fixture& f, std::vector<marker_request> markers) {
    msg::write_txn_markers_request req;
    req.markers = std::move(markers);
    auto ctx = f.context(27, 1);
    // The handler finds partitions through the broker; the fixture owns the manager.
    auto info = std::make_shared<broker::broker_info>();
    info->replicas = std::shared_ptr<replica_manager>(&f.replicas(), [](replica_manager*) {});
    ctx.broker = info;
    auto resp = cluster_fixture::run([&]() -> asio::awaitable<msg::write_txn_markers_response> {
        co_return co_await broker::write_txn_markers_handler::handle(ctx, std::move(req));
    }());
    std::map<std::string, int16_t> out;
    for (const auto& m : resp.markers)
        for (const auto& t : m.topics)
            for (const auto& p : t.partitions)
                out[std::to_string(m.producer_id) + " " + t.name + "-" + std::to_string(p.partition_index)] =
                    p.error_code;
    return out;
}

}  // namespace

TEST_CASE("WriteTxnMarkers answers every partition: written, unknown, not hosted, no group coordinator") {
    cluster_fixture f;
    f.create_topic({.name = "t", .partitions = 2});
    f.create_topic({.name = "elsewhere", .leader = 2, .isr = {2}});
    f.create_topic({.name = "__consumer_offsets"});
    REQUIRE(produce_txn(f, "t", 0, txn_batch(1000, 0, 0, 3)) == 0);
    REQUIRE(produce_txn(f, "t", 1, txn_batch(2000, 0, 0, 1)) == 0);

    auto errors = write_markers(f, {marker(1000, 0, true, {{"t", {0, 7}}, {"nope", {0}}, {"elsewhere", {0}}}),
                                    marker(2000, 0, false, {{"t", {1}}, {"__consumer_offsets", {0, 3}}})});
    CHECK(errors == std::map<std::string, int16_t>{
                        {"1000 t-0", 0},
                        {"1000 t-7", code(error_code::unknown_topic_or_partition)},
                        {"1000 nope-0", code(error_code::unknown_topic_or_partition)},
                        // Not a replica here at all (a follower would get NOT_LEADER_OR_FOLLOWER).
                        {"1000 elsewhere-0", code(error_code::unknown_topic_or_partition)},
                        {"2000 t-1", 0},
                        // No group coordinator here: Kafka turns NOT_COORDINATOR into this.
                        {"2000 __consumer_offsets-0", code(error_code::not_leader_or_follower)},
                        {"2000 __consumer_offsets-3", code(error_code::unknown_topic_or_partition)},
                    });
    // Both transactions ended: nothing is unstable any more.
    CHECK(fetch_at(f, "t", 0, read_committed).partition().last_stable_offset == 4);
}

TEST_CASE("WriteTxnMarkers refuses a marker older than the producer's epoch") {
    cluster_fixture f;
    f.create_topic({.name = "t"});
    REQUIRE(produce_txn(f, "t", 0, txn_batch(1000, 1, 0, 2)) == 0);
    CHECK(write_markers(f, {marker(1000, 0, false, {{"t", {0}}})}) ==
          std::map<std::string, int16_t>{{"1000 t-0", code(error_code::invalid_producer_epoch)}});
    // The transaction is still open; the right epoch ends it.
    CHECK(fetch_at(f, "t", 0, read_committed).partition().last_stable_offset == 0);
    CHECK(write_markers(f, {marker(1000, 1, false, {{"t", {0}}})}) ==
          std::map<std::string, int16_t>{{"1000 t-0", 0}});
    CHECK(fetch_at(f, "t", 0, read_committed).partition().last_stable_offset == 3);
}

TEST_CASE("a marker from an older coordinator epoch is fenced") {
    cluster_fixture f;
    f.create_topic({.name = "t"});
    REQUIRE(produce_txn(f, "t", 0, txn_batch(1000, 0, 0, 2)) == 0);
    REQUIRE(write_marker(f, "t", 0, marker_for(1000, 0, true, 5)) == error_code::none);
    REQUIRE(produce_txn(f, "t", 0, txn_batch(1000, 0, 2, 2)) == 0);
    CHECK(write_marker(f, "t", 0, marker_for(1000, 0, true, 4)) == error_code::transaction_coordinator_fenced);
    CHECK(write_marker(f, "t", 0, marker_for(1000, 0, true, 5)) == error_code::none);
}

TEST_CASE("WriteTxnMarkers with no markers answers none") {
    cluster_fixture f;
    CHECK(write_markers(f, {}).empty());
}

}  // namespace eddy::cluster::test
