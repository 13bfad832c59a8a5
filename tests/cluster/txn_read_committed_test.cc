// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Transactions on a data partition as a consumer sees them: the last stable offset in
// every Fetch, read_committed fetches stopping there and naming aborted transactions,
// the markers that move it, and ListOffsets at both isolation levels.
#include <doctest/doctest.h>

#include "broker/handlers/describe_producers.h"
#include "txn_helpers.h"
#include "error_code_value.h"

namespace eddy::cluster::test {
namespace {

using aborted = msg::fetch_response::aborted_transaction;

// Offsets 0-1 plain, 2-4 from producer 1000's open transaction.
void plain_then_open_txn(cluster_fixture& f) {
    f.create_topic({.name = "t"});
    REQUIRE(f.produce_error("t", 0, simple_batch(2)) == 0);
    REQUIRE(produce_txn(f, "t", 0, txn_batch(1000, 0, 0, 3)) == 0);
}

}  // namespace

TEST_CASE("a transactional produce is accepted and opens the producer's transaction") {
    cluster_fixture f;
    plain_then_open_txn(f);
    msg::describe_producers_request req;
    req.topics.push_back({.name = "t", .partition_indexes = {0}, .unknown_tagged_fields = {}});
    auto ctx = f.context(61, 0);
    auto resp = cluster_fixture::run([&]() -> asio::awaitable<msg::describe_producers_response> {
        co_return co_await broker::describe_producers_handler::handle(f.replicas(), ctx, std::move(req));
    }());
    const auto& p = resp.topics.at(0).partitions.at(0);
    REQUIRE(p.active_producers.size() == 1);
    CHECK(p.active_producers[0].producer_id == 1000);
    CHECK(p.active_producers[0].current_txn_start_offset == 2);
}

TEST_CASE("a transaction's first batch waits for the coordinator's word; without one it is refused") {
    // KIP-890 (transaction.partition.verification.enable, on in Kafka and here by default):
    // no transaction coordinator answers in this fixture, so the partition cannot learn
    // whether it is in the transaction. Kafka answers NOT_ENOUGH_REPLICAS (a retriable error
    // that needs no metadata refresh) and appends nothing.
    replica_manager_options options;
    options.static_configs["transaction.partition.verification.enable"] = "true";
    cluster_fixture f(2, options);
    f.create_topic({.name = "t"});
    auto resp = f.produce("t", 0, txn_batch(1000, 0, 0, 3), -1, 11, "tx");
    const auto& p = resp.responses.at(0).partition_responses.at(0);
    CHECK(p.error_code == code(error_code::not_enough_replicas));
    CHECK(p.error_message ==
          "Unable to verify the partition has been added to the transaction. Underlying error: "
          "COORDINATOR_NOT_AVAILABLE");
    CHECK(p.base_offset == -1);
    CHECK(fetch_at(f, "t", 0, read_uncommitted).partition().high_watermark == 0);
    // A plain batch needs no word from anyone.
    CHECK(f.produce_error("t", 0, simple_batch(2)) == 0);
}

TEST_CASE("transactional records without a transactional id are refused, as Kafka refuses them") {
    cluster_fixture f;
    f.create_topic({.name = "t"});
    CHECK(produce_txn(f, "t", 0, txn_batch(1000, 0, 0, 3), std::nullopt) ==
          code(error_code::transactional_id_authorization_failed));
    // Nothing was written: the next batch starts at offset 0.
    CHECK(fetch_at(f, "t", 0, read_uncommitted).partition().high_watermark == 0);
}

TEST_CASE("an open transaction holds the last stable offset; read_committed stops there") {
    cluster_fixture f;
    plain_then_open_txn(f);

    // read_uncommitted sees everything; the LSO is reported all the same, and no list.
    fetched all = fetch_at(f, "t", 0, read_uncommitted);
    CHECK(all.partition().high_watermark == 5);
    CHECK(all.partition().last_stable_offset == 2);
    CHECK_FALSE(all.partition().aborted_transactions.has_value());
    CHECK(base_offsets(all) == std::vector<int64_t>{0, 2});

    fetched committed = fetch_at(f, "t", 0, read_committed);
    CHECK(committed.partition().high_watermark == 5);
    CHECK(committed.partition().last_stable_offset == 2);
    CHECK(base_offsets(committed) == std::vector<int64_t>{0});
    // Kafka sends an empty list, not null, to read_committed.
    REQUIRE(committed.partition().aborted_transactions.has_value());
    CHECK(committed.partition().aborted_transactions->empty());

    // At the LSO (and past it, below the HW) a read_committed fetch gets nothing, no error.
    for (int64_t offset : {2, 4}) {
        CAPTURE(offset);
        fetched at = fetch_at(f, "t", offset, read_committed);
        CHECK(at.partition().error_code == 0);
        CHECK(base_offsets(at).empty());
        REQUIRE(at.partition().aborted_transactions.has_value());
        CHECK(at.partition().aborted_transactions->empty());
    }
    // An error answers null, as Kafka's failed reads do.
    fetched beyond = fetch_at(f, "t", 9, read_committed);
    CHECK(beyond.partition().error_code == code(error_code::offset_out_of_range));
    CHECK_FALSE(beyond.partition().aborted_transactions.has_value());
}

TEST_CASE("a commit marker ends the transaction: the LSO reaches the high watermark") {
    cluster_fixture f;
    plain_then_open_txn(f);
    REQUIRE(write_marker(f, "t", 0, marker_for(1000, 0, true)) == error_code::none);
    fetched committed = fetch_at(f, "t", 0, read_committed);
    CHECK(committed.partition().high_watermark == 6);
    CHECK(committed.partition().last_stable_offset == 6);
    // The marker is a control batch of its own at offset 5.
    CHECK(base_offsets(committed) == std::vector<int64_t>{0, 2, 5});
    REQUIRE(committed.partition().aborted_transactions.has_value());
    CHECK(committed.partition().aborted_transactions->empty());
}

TEST_CASE("an aborted transaction is listed to read_committed fetches of its range") {
    cluster_fixture f;
    plain_then_open_txn(f);
    REQUIRE(write_marker(f, "t", 0, marker_for(1000, 0, false)) == error_code::none);
    REQUIRE(f.produce_error("t", 0, simple_batch(1)) == 0);  // offset 6

    fetched committed = fetch_at(f, "t", 0, read_committed);
    CHECK(committed.partition().last_stable_offset == 7);
    CHECK(base_offsets(committed) == std::vector<int64_t>{0, 2, 5, 6});
    REQUIRE(committed.partition().aborted_transactions.has_value());
    CHECK(*committed.partition().aborted_transactions ==
          std::vector<aborted>{{.producer_id = 1000, .first_offset = 2, .unknown_tagged_fields = {}}});
    // A fetch after the abort marker no longer overlaps it.
    fetched after = fetch_at(f, "t", 6, read_committed);
    REQUIRE(after.partition().aborted_transactions.has_value());
    CHECK(after.partition().aborted_transactions->empty());

    CHECK_FALSE(fetch_at(f, "t", 0, read_uncommitted).partition().aborted_transactions.has_value());
}

TEST_CASE("a read_committed fetch parked at the LSO is woken by the marker") {
    for (size_t threads : {1u, 3u}) {
        CAPTURE(threads);
        cluster_fixture f(threads);
        f.create_topic({.name = "t"});
        REQUIRE(produce_txn(f, "t", 0, txn_batch(1000, 0, 0, 3)) == 0);
        msg::fetch_request req = fetch_request_for("t", 0, read_committed);
        // Far longer than any test run: only the marker can end this wait.
        req.max_wait_ms = 3'600'000;
        // Nothing below the LSO: the fetch must park rather than answer (nullopt).
        auto result = fetch_woken_by(f, "t", std::move(req), [&] {
            CHECK(write_marker(f, "t", 0, marker_for(1000, 0, true)) == error_code::none);
        });
        REQUIRE(result.has_value());
        const auto& pd = result->response.responses.at(0).partitions.at(0);
        CHECK(pd.last_stable_offset == 4);
        REQUIRE(result->records.size() == 1);
        CHECK_FALSE(result->records[0].empty());
    }
}

TEST_CASE("ListOffsets read_committed answers below the last stable offset") {
    cluster_fixture f;
    f.create_topic({.name = "t"});
    const int64_t t0 = now_ms();
    REQUIRE(f.produce_error("t", 0, simple_batch(2, 10, record::compression::none, t0)) == 0);
    REQUIRE(produce_txn(f, "t", 0, txn_batch(1000, 0, 0, 3, t0 + 1000)) == 0);

    CHECK(list_offset_at(f, "t", -1, read_uncommitted).first == 5);
    CHECK(list_offset_at(f, "t", -1, read_committed).first == 2);
    CHECK(list_offset_at(f, "t", -2, read_committed).first == 0);
    // By time and max timestamp: an answer inside the open transaction is none (-1, -1).
    CHECK(list_offset_at(f, "t", t0 + 1000, read_uncommitted) == std::pair<int64_t, int64_t>{2, t0 + 1000});
    CHECK(list_offset_at(f, "t", t0 + 1000, read_committed) == std::pair<int64_t, int64_t>{-1, -1});
    CHECK(list_offset_at(f, "t", t0, read_committed) == std::pair<int64_t, int64_t>{0, t0});
    CHECK(list_offset_at(f, "t", -3, read_committed) == std::pair<int64_t, int64_t>{-1, -1});
    CHECK(list_offset_at(f, "t", -3, read_uncommitted).second == t0 + 1000);

    REQUIRE(write_marker(f, "t", 0, marker_for(1000, 0, true)) == error_code::none);
    CHECK(list_offset_at(f, "t", -1, read_committed).first == 6);
    CHECK(list_offset_at(f, "t", t0 + 1000, read_committed).first == 2);
}

}  // namespace eddy::cluster::test
