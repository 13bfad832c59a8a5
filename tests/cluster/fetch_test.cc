// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "cluster_fixture.h"
#include "txn_helpers.h"
#include "eddy/error_code.h"
#include "error_code_value.h"

namespace eddy::cluster::test {
namespace {

msg::fetch_request request_for(const std::string& topic, std::vector<int32_t> partitions,
                               int64_t offset, int32_t partition_max_bytes, int32_t max_bytes) {
    msg::fetch_request req;
    req.max_wait_ms = 0;
    req.min_bytes = 1;
    req.max_bytes = max_bytes;
    auto& t = req.topics.emplace_back();
    t.topic = topic;
    for (int32_t p : partitions) {
        auto& fp = t.partitions.emplace_back();
        fp.partition = p;
        fp.fetch_offset = offset;
        fp.partition_max_bytes = partition_max_bytes;
    }
    return req;
}

TEST_CASE("a fetch returns the first batch whole even when it is larger than the limits") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error("t1", 0, simple_batch(1, 1000)) == 0);
    auto got = batches_in(f.fetch_one("t1", 0, 0, /*partition_max_bytes=*/10).partition().records);
    REQUIRE(got.size() == 1);
    CHECK(got[0].base_offset == 0);
    // A limit between one and two batches returns one whole batch.
    size_t one = got[0].size;
    got = batches_in(f.fetch_one("t1", 0, 0, static_cast<int32_t>(one * 2 - 1)).partition().records);
    CHECK(got.size() == 1);
    got = batches_in(f.fetch_one("t1", 0, 1, static_cast<int32_t>(one * 2)).partition().records);
    REQUIRE(got.size() == 2);
    CHECK(got[0].base_offset == 1);
}

TEST_CASE("max_bytes is shared by the partitions and only the first non-empty one may exceed it") {
    cluster_fixture f;
    f.create_topic({.name = "t2", .partitions = 3});
    for (int32_t p = 0; p < 3; ++p) REQUIRE(f.produce_error("t2", p, simple_batch(1, 1000)) == 0);
    fetched got = f.fetch(request_for("t2", {0, 1, 2}, 0, 1 << 20, /*max_bytes=*/10));
    CHECK(batches_in(got.partition(0, 0).records).size() == 1);
    CHECK(batches_in(got.partition(0, 1).records).empty());
    CHECK(batches_in(got.partition(0, 2).records).empty());
    CHECK(got.partition(0, 2).high_watermark == 1);
}

TEST_CASE("max_bytes running out inside a partition cuts it at a whole batch and empties the rest") {
    // Partitions are read side by side, then given Kafka's limits in request order; the
    // one where max_bytes runs out keeps only the whole batches that fit.
    cluster_fixture f(3);
    f.create_topic({.name = "t3", .partitions = 4});
    const std::vector<int> batches_per_partition{2, 3, 2, 0};
    for (int32_t p = 0; p < 4; ++p)
        for (int b = 0; b < batches_per_partition[p]; ++b)
            REQUIRE(f.produce_error("t3", p, simple_batch(1, 1000)) == 0);
    const size_t one = batches_in(f.fetch_one("t3", 0, 0).partition().records).at(0).size;
    // Partition 3 (empty) first, then room for three and a half batches.
    fetched got = f.fetch(request_for("t3", {3, 0, 1, 2}, 0, 1 << 20, static_cast<int32_t>(one * 7 / 2)));
    CHECK(batches_in(got.partition(0, 0).records).empty());
    CHECK(batches_in(got.partition(0, 1).records).size() == 2);
    auto cut = batches_in(got.partition(0, 2).records);
    REQUIRE(cut.size() == 1);
    CHECK(cut[0].base_offset == 0);
    CHECK(batches_in(got.partition(0, 3).records).empty());
    CHECK(got.partition(0, 3).error_code == 0);
    CHECK(got.partition(0, 3).high_watermark == 2);
    CHECK(got.partition(0, 2).high_watermark == 3);
}

TEST_CASE("a partition after one that returned data gets no part of a batch alone") {
    // Kafka's Fetch v3+: once some partition has returned data, one whose first batch
    // does not fit what is left returns nothing rather than the part that fits.
    cluster_fixture f;
    f.create_topic({.name = "t4", .partitions = 2});
    for (int32_t p = 0; p < 2; ++p)
        for (int b = 0; b < 2; ++b) REQUIRE(f.produce_error("t4", p, simple_batch(1, 1000)) == 0);
    const size_t one = batches_in(f.fetch_one("t4", 0, 0).partition().records).at(0).size;
    // max_bytes runs out half way into partition 1's first batch.
    fetched got = f.fetch(request_for("t4", {0, 1}, 0, 1 << 20, static_cast<int32_t>(one * 5 / 2)));
    CHECK(batches_in(got.partition(0, 0).records).size() == 2);
    CHECK(got.partition(0, 1).records.size == 0);
    CHECK(got.partition(0, 1).high_watermark == 2);
    // partition_max_bytes smaller than a batch, on the second partition.
    got = f.fetch(request_for("t4", {0, 1}, 0, static_cast<int32_t>(one / 2), 1 << 20));
    CHECK(batches_in(got.partition(0, 0).records).size() == 1);
    CHECK(got.partition(0, 1).records.size == 0);
}

TEST_CASE("a fetch beyond the log end or below its start gets OFFSET_OUT_OF_RANGE") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    REQUIRE(f.produce_error("t1", 0, simple_batch(4)) == 0);
    fetched got = f.fetch_one("t1", 0, 100);
    CHECK(got.partition().error_code == code(error_code::offset_out_of_range));
    CHECK(got.partition().high_watermark == -1);
    CHECK(batches_in(got.partition().records).empty());
    // At the log end there is simply nothing yet.
    got = f.fetch_one("t1", 0, 4);
    CHECK(got.partition().error_code == 0);
    CHECK(got.partition().high_watermark == 4);
    auto d = f.delete_records("t1", 0, 2);
    CHECK(d.topics.at(0).partitions.at(0).low_watermark == 2);
    CHECK(f.fetch_one("t1", 0, 1).partition().error_code == code(error_code::offset_out_of_range));
    CHECK(f.fetch_one("t1", 0, 2).partition().log_start_offset == 2);
}

TEST_CASE("a fetch of an unknown topic or topic id gets the matching error") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    CHECK(f.fetch_one("nope", 0, 0).partition().error_code == code(error_code::unknown_topic_or_partition));
    msg::fetch_request req = request_for("", {0}, 0, 1000, 1000);
    req.topics[0].topic_id.bytes[0] = 42;
    CHECK(f.fetch(req, 13).partition().error_code == code(error_code::unknown_topic_id));
    req.topics[0].topic_id = f.topic_id("t1");
    fetched got = f.fetch(req, 16);
    CHECK(got.partition().error_code == 0);
    CHECK(got.response.responses[0].topic_id == f.topic_id("t1"));
}

TEST_CASE("a partition named twice is read once, where it was first named, as last asked") {
    // Kafka keys FetchRequest.fetchData by topic and partition (a LinkedHashMap).
    cluster_fixture f;
    f.create_topic({.name = "t1", .partitions = 2});
    for (int32_t p = 0; p < 2; ++p) REQUIRE(f.produce_error("t1", p, simple_batch(3)) == 0);
    msg::fetch_request req = request_for("t1", {0, 1, 0}, 0, 1 << 20, 1 << 20);
    req.topics[0].partitions[2].fetch_offset = 3;  // the last mention: at the log end
    // The topic named again in a second entry, as the same key.
    auto& again = req.topics.emplace_back(req.topics[0]);
    again.partitions = {req.topics[0].partitions[1]};
    again.partitions[0].fetch_offset = 3;
    fetched got = f.fetch(req);
    REQUIRE(got.response.responses.size() == 1);
    const auto& parts = got.response.responses[0].partitions;
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].partition_index == 0);
    CHECK(parts[1].partition_index == 1);
    CHECK(batches_in(parts[0].records).empty());
    CHECK(batches_in(parts[1].records).empty());
    CHECK(parts[1].high_watermark == 3);
}

TEST_CASE("partitions missing from the metadata are answered after the partitions read") {
    // KafkaApis lists them last; FetchResponse.toMessage starts a new topic entry
    // whenever the topic changes, so a topic can appear twice.
    cluster_fixture f;
    f.create_topic({.name = "t1", .partitions = 2});
    msg::fetch_request req = request_for("nope", {0}, 0, 1 << 20, 1 << 20);
    req.topics.push_back(request_for("t1", {0, 7, 1}, 0, 1 << 20, 1 << 20).topics[0]);
    fetched got = f.fetch(req);
    const auto& r = got.response.responses;
    REQUIRE(r.size() == 3);
    CHECK(r[0].topic == "t1");
    REQUIRE(r[0].partitions.size() == 2);
    CHECK(r[0].partitions[0].partition_index == 0);
    CHECK(r[0].partitions[1].partition_index == 1);
    CHECK(r[1].topic == "nope");
    CHECK(r[1].partitions.at(0).error_code == code(error_code::unknown_topic_or_partition));
    CHECK(r[2].topic == "t1");
    REQUIRE(r[2].partitions.size() == 1);
    CHECK(r[2].partitions[0].partition_index == 7);
    CHECK(r[2].partitions[0].error_code == code(error_code::unknown_topic_or_partition));
}

TEST_CASE("an unknown isolation level fails the request as Kafka's IsolationLevel.forId does") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    REQUIRE(f.produce_error("t1", 0, simple_batch(2)) == 0);
    msg::fetch_request req = request_for("t1", {0, 0}, 0, 1 << 20, 1 << 20);
    req.isolation_level = 2;
    // Below v13 every partition as asked carries the error; from v13 none is listed.
    fetched got = f.fetch(req, 12);
    CHECK(got.response.error_code == code(error_code::unknown_server_error));
    const auto& parts = got.response.responses.at(0).partitions;
    REQUIRE(parts.size() == 2);
    for (const auto& p : parts) {
        CHECK(p.error_code == code(error_code::unknown_server_error));
        CHECK(p.high_watermark == -1);
        CHECK(p.records.null);
    }
    req.topics[0].topic_id = f.topic_id("t1");
    got = f.fetch(req, 13);
    CHECK(got.response.error_code == code(error_code::unknown_server_error));
    CHECK(got.response.responses.empty());
    // With nothing to read, Kafka never looks at the isolation level.
    req = request_for("nope", {0}, 0, 1 << 20, 1 << 20);
    req.isolation_level = 2;
    got = f.fetch(req, 12);
    CHECK(got.response.error_code == 0);
    CHECK(got.partition().error_code == code(error_code::unknown_topic_or_partition));
}

TEST_CASE("a negative byte limit fails a partition with something to read, as Kafka's segment read does") {
    cluster_fixture f;
    f.create_topic({.name = "t1", .partitions = 3});
    for (int32_t p = 0; p < 2; ++p) REQUIRE(f.produce_error("t1", p, simple_batch(2)) == 0);
    // max_bytes -1: the first partition's limit is -1; the next ones get what remains,
    // 0, and the first batch still comes whole as nothing was returned before.
    fetched got = f.fetch(request_for("t1", {0, 1}, 0, 1 << 20, -1));
    CHECK(got.partition(0, 0).error_code == code(error_code::unknown_server_error));
    CHECK(got.partition(0, 0).high_watermark == -1);
    CHECK(got.partition(0, 1).error_code == 0);
    CHECK(batches_in(got.partition(0, 1).records).size() == 1);
    // A negative partition_max_bytes: an error where there is data, empty at the end.
    msg::fetch_request req = request_for("t1", {0, 2}, 0, -5, 1 << 20);
    got = f.fetch(req);
    CHECK(got.partition(0, 0).error_code == code(error_code::unknown_server_error));
    CHECK(got.partition(0, 1).error_code == 0);
    CHECK(got.partition(0, 1).high_watermark == 0);
}

TEST_CASE("fetch sessions are declined: full fetches get session id 0, incremental ones FETCH_SESSION_ID_NOT_FOUND") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    msg::fetch_request req = request_for("t1", {0}, 0, 1000, 1000);
    req.session_id = 0;
    req.session_epoch = 0;
    fetched got = f.fetch(req, 12);
    CHECK(got.response.error_code == 0);
    CHECK(got.response.session_id == 0);
    req.session_id = 1234;
    req.session_epoch = 5;
    got = f.fetch(req, 12);
    CHECK(got.response.error_code == code(error_code::fetch_session_id_not_found));
    CHECK(got.response.responses.empty());
}

TEST_CASE("a fetch with a stale or future leader epoch is fenced") {
    cluster_fixture f;
    f.create_topic({.name = "ep", .leader_epoch = 5});
    msg::fetch_request req = request_for("ep", {0}, 0, 1000, 1000);
    req.topics[0].partitions[0].current_leader_epoch = 4;
    CHECK(f.fetch(req).partition().error_code == code(error_code::fenced_leader_epoch));
    req.topics[0].partitions[0].current_leader_epoch = 6;
    CHECK(f.fetch(req).partition().error_code == code(error_code::unknown_leader_epoch));
    req.topics[0].partitions[0].current_leader_epoch = 5;
    CHECK(f.fetch(req).partition().error_code == 0);
    // Fetch reads any negative epoch as not given (FetchRequest.optionalEpoch), where
    // ListOffsets fences all but -1.
    req.topics[0].partitions[0].current_leader_epoch = -2;
    CHECK(f.fetch(req).partition().error_code == 0);
}

TEST_CASE("a failed read is KAFKA_STORAGE_ERROR from Fetch v6, NOT_LEADER_OR_FOLLOWER before") {
    cluster_fixture f;
    f.create_topic({.name = "bad"});
    for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error("bad", 0, simple_batch(2)) == 0);
    // The segment loses its batches behind the broker's back: reading them fails.
    std::filesystem::resize_file(f.dir() + "/logs/bad-0/00000000000000000000.log", 10);
    msg::fetch_request req = request_for("bad", {0}, 2, 1000, 1000);
    CHECK(f.fetch(req, 6).partition().error_code == code(error_code::kafka_storage_error));
    CHECK(f.fetch(req, 5).partition().error_code == code(error_code::not_leader_or_follower));
}

TEST_CASE("Fetch v12+ answers a fetcher whose log diverges with the diverging epoch, as Kafka does") {
    cluster_fixture f;
    f.create_topic({.name = "div", .leader_epoch = 2});
    REQUIRE(f.produce_error("div", 0, simple_batch(3)) == 0);  // offsets 0-2, epoch 2
    auto fetch_after = [&](int32_t last_fetched_epoch, int64_t offset, int16_t version = 12,
                           int32_t max_wait_ms = 0) {
        msg::fetch_request req = request_for("div", {0}, offset, 1 << 20, 1 << 20);
        req.max_wait_ms = max_wait_ms;
        req.topics[0].partitions[0].last_fetched_epoch = last_fetched_epoch;
        return f.fetch(req, version);
    };
    // Epoch 2 ends at 3 here; a fetcher at 3 is caught up, one at 5 has records this log
    // does not have: it is told where epoch 2 ends, with no records and no error.
    fetched caught_up = fetch_after(2, 3);
    CHECK(caught_up.partition().error_code == 0);
    CHECK(caught_up.partition().diverging_epoch.epoch == -1);
    // Far longer than any test run: a diverging partition is answered at once.
    fetched ahead = fetch_after(2, 5, 12, 3'600'000);
    CHECK(ahead.partition().error_code == 0);
    CHECK(ahead.partition().diverging_epoch.epoch == 2);
    CHECK(ahead.partition().diverging_epoch.end_offset == 3);
    CHECK(ahead.partition().high_watermark == 3);
    CHECK(batches_in(ahead.partition().records).empty());
    // An epoch older than the log's first ends where the first begins (offset 0).
    fetched older = fetch_after(1, 2);
    CHECK(older.partition().diverging_epoch.epoch == 1);
    CHECK(older.partition().diverging_epoch.end_offset == 0);
    CHECK(batches_in(fetch_after(1, 0).partition().records).size() == 1);
    // An epoch this log has never had past its latest cannot be placed.
    CHECK(fetch_after(3, 0).partition().error_code == code(error_code::offset_out_of_range));
    // Before v12 there is no LastFetchedEpoch: an offset past the end is out of range.
    CHECK(fetch_after(2, 5, 11).partition().error_code == code(error_code::offset_out_of_range));
}

TEST_CASE("a long-polling fetch is woken by an append, not by its timeout") {
    for (size_t threads : {1u, 3u}) {
        CAPTURE(threads);
        cluster_fixture f(threads);
        f.create_topic({.name = "t1"});
        msg::fetch_request req = request_for("t1", {0}, 0, 1 << 20, 1 << 20);
        // Far longer than any test run: only the append can end this wait.
        req.max_wait_ms = 3'600'000;
        std::optional<broker::fetch_result> result = fetch_woken_by(f, "t1", std::move(req), [&] {
            CHECK(f.produce_error("t1", 0, simple_batch(2)) == 0);
        });
        REQUIRE(result.has_value());
        REQUIRE(result->records.size() == 1);
        CHECK_FALSE(result->records[0].empty());
        CHECK(result->response.responses[0].partitions[0].high_watermark == 2);
    }
}

TEST_CASE("an unknown topic in a long-polling fetch does not end the wait of the others") {
    // Kafka answers it with UNKNOWN_TOPIC_OR_PARTITION beside the others' data, once they
    // have some: a consumer whose metadata is stale does not spin.
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    msg::fetch_request req = request_for("t1", {0}, 0, 1 << 20, 1 << 20);
    req.max_wait_ms = 3'600'000;
    auto& gone = req.topics.emplace_back();
    gone.topic = "gone";
    gone.partitions.emplace_back().partition = 0;
    std::optional<broker::fetch_result> result = fetch_woken_by(f, "t1", std::move(req), [&] {
        CHECK(f.produce_error("t1", 0, simple_batch(2)) == 0);
    });
    REQUIRE(result.has_value());
    CHECK(result->response.responses[0].partitions[0].high_watermark == 2);
    CHECK(result->response.responses[1].partitions[0].error_code ==
          code(error_code::unknown_topic_or_partition));
}

TEST_CASE("a long-polling fetch is answered when its topic is deleted") {
    // Kafka completes the fetches waiting on a partition that stops (DelayedFetch); its
    // read then finds the topic gone.
    for (size_t threads : {1u, 3u}) {
        CAPTURE(threads);
        cluster_fixture f(threads);
        f.create_topic({.name = "t1"});
        msg::fetch_request req = request_for("t1", {0}, 0, 1 << 20, 1 << 20);
        req.max_wait_ms = 3'600'000;  // only the deletion can end this wait
        std::optional<broker::fetch_result> result =
            fetch_woken_by(f, "t1", std::move(req), [&] { f.delete_topic("t1"); });
        REQUIRE(result.has_value());
        CHECK(result->response.responses[0].partitions[0].error_code ==
              code(error_code::unknown_topic_or_partition));
    }
}

TEST_CASE("when the broker begins to stop, a long-polling fetch is answered and none parks after") {
    // The network's stop waits for every request; Kafka's shutdown does not wait for its
    // delayed fetches, so neither may Eddy's (broker_server::stop ends the waits first).
    for (size_t threads : {1u, 3u}) {
        CAPTURE(threads);
        cluster_fixture f(threads);
        f.create_topic({.name = "t1"});
        REQUIRE(f.produce_error("t1", 0, simple_batch(1)) == 0);
        msg::fetch_request req = request_for("t1", {0}, 1, 1 << 20, 1 << 20);
        req.max_wait_ms = 3'600'000;  // only the stop can end this wait
        std::optional<broker::fetch_result> result =
            fetch_woken_by(f, "t1", std::move(req), [&] { f.replicas().end_fetch_waits(); });
        REQUIRE(result.has_value());
        CHECK(result->response.responses[0].partitions[0].error_code == 0);
        CHECK(result->response.responses[0].partitions[0].high_watermark == 1);
        // Would wait the hour if it parked.
        msg::fetch_request later = request_for("t1", {0}, 1, 1 << 20, 1 << 20);
        later.max_wait_ms = 3'600'000;
        fetched got = f.fetch(later);
        CHECK(got.partition().error_code == 0);
        CHECK(batches_in(got.partition().records).empty());
    }
}

TEST_CASE("fetch.max.bytes caps max_bytes, and min_bytes is at most that") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error("t1", 0, simple_batch(1, 1000)) == 0);
    const size_t one = batches_in(f.fetch_one("t1", 0, 0).partition().records).at(0).size;
    f.broker().fetch_max_bytes = static_cast<int32_t>(one + one / 2);
    fetched got = f.fetch(request_for("t1", {0}, 0, 1 << 20, 1 << 20));
    CHECK(batches_in(got.partition().records).size() == 1);
    CHECK(got.partition().records.size == one + one / 2);
    // A min_bytes beyond what any answer may hold: answered at once, never parked.
    msg::fetch_request req = request_for("t1", {0}, 0, 1 << 20, 1 << 20);
    req.min_bytes = 1 << 30;
    req.max_wait_ms = 60'000;
    CHECK_FALSE(fetch_woken_by(f, "t1", std::move(req), [&] {
                    CHECK(f.produce_error("t1", 0, simple_batch(1, 1000)) == 0);
                }).has_value());
}

TEST_CASE("a long poll behind the log end's segment is answered at once, as Kafka's DelayedFetch does") {
    cluster_fixture f;
    // One 1 KB batch per segment: offsets 0 and 1 sit in two segments.
    f.create_topic({.name = "t1", .configs = {{"segment.bytes", "1500"}}});
    for (int i = 0; i < 2; ++i) REQUIRE(f.produce_error("t1", 0, simple_batch(1, 1000)) == 0);
    auto long_poll = [](int64_t offset, int32_t max_wait_ms) {
        msg::fetch_request req = request_for("t1", {0}, offset, 1 << 20, 1 << 20);
        req.min_bytes = 1 << 19;  // more than the log holds
        req.max_wait_ms = max_wait_ms;
        return req;
    };
    auto append = [&] { CHECK(f.produce_error("t1", 0, simple_batch(1, 1000)) == 0); };
    // From the older segment: answered without waiting for min_bytes (nullopt). A fetch
    // that waited would park, see the append and end with its max_wait_ms: a value.
    CHECK_FALSE(fetch_woken_by(f, "t1", long_poll(0, 5'000), append).has_value());
    // From the segment the log ends in: it waits, and the append that rolls wakes it.
    std::optional<broker::fetch_result> woken = fetch_woken_by(f, "t1", long_poll(1, 3'600'000), append);
    REQUIRE(woken.has_value());
    CHECK(woken->response.responses[0].partitions[0].high_watermark == 3);
}

TEST_CASE("a read_committed long poll above the last stable offset is answered at once") {
    cluster_fixture f;
    f.create_topic({.name = "t"});
    REQUIRE(produce_txn(f, "t", 0, txn_batch(1000, 0, 0, 3)) == 0);  // LSO 0, HW 3
    auto long_poll = [](int64_t offset) {
        msg::fetch_request req = fetch_request_for("t", offset, read_committed);
        req.max_wait_ms = 3'600'000;
        return req;
    };
    auto commit = [&] { CHECK(write_marker(f, "t", 0, marker_for(1000, 0, true)) == error_code::none); };
    CHECK_FALSE(fetch_woken_by(f, "t", long_poll(2), commit).has_value());
    CHECK_FALSE(fetch_woken_by(f, "t", long_poll(3), commit).has_value());
}

TEST_CASE("produces from several threads to several partitions get distinct contiguous offsets") {
    cluster_fixture f(3);
    f.create_topic({.name = "mt", .partitions = 4});
    constexpr int per_thread = 25;
    std::vector<std::thread> threads;
    std::vector<std::vector<int64_t>> offsets(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                int32_t p = (t + i) % 4;
                auto r = f.produce("mt", p, simple_batch(2));
                offsets[t].push_back(r.responses[0].partition_responses[0].base_offset * 4 + p);
            }
        });
    }
    for (auto& t : threads) t.join();
    std::set<int64_t> all;
    for (auto& v : offsets) all.insert(v.begin(), v.end());
    CHECK(all.size() == 4 * per_thread);
    int64_t total = 0;
    for (int32_t p = 0; p < 4; ++p) {
        fetched got = f.fetch_one("mt", p, 0);
        CHECK(got.partition().high_watermark % 2 == 0);
        total += got.partition().high_watermark;
        auto batches = batches_in(got.partition().records);
        for (size_t i = 0; i < batches.size(); ++i) CHECK(batches[i].base_offset == static_cast<int64_t>(2 * i));
    }
    CHECK(total == 2 * 4 * per_thread);
}

}  // namespace
}  // namespace eddy::cluster::test
