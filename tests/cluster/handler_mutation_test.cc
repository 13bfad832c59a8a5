// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The data-path handlers fed randomly mutated requests: each request is encoded in a
// version the handler serves, some of its bytes are changed, and whatever still decodes
// is handled against a topic with data. The handlers must answer every one with a
// response that encodes and decodes in that version (under ASan in CI: without touching
// memory they do not own). The request fuzzer checks the decoders; this reaches the
// logic behind them (repeated partitions, negative offsets and limits, unknown ids).
#include <doctest/doctest.h>

#include <array>

#include "cluster_fixture.h"
#include "request_mutator.h"

namespace eddy::cluster::test {
namespace {

using eddy::test::check_encodes;
using eddy::test::request_mutator;

constexpr int rounds_per_api = 2000;

// A handler the fixture has no call for, run on its replica manager.
template <class Handler, class Req>
void handle_in_process(cluster_fixture& f, int16_t api_key, Req request, int16_t version) {
    auto ctx = f.context(api_key, version);
    check_encodes(cluster_fixture::run(Handler::handle(f.replicas(), ctx, std::move(request))), version);
}

// Every handled mutation of `seed` in the versions `versions` serves; at least a fifth
// of them must decode, or the test would test little.
template <class Req, class Handle>
void exercise(request_mutator& m, const Req& seed, broker::version_range versions, Handle handle) {
    const int handled =
        eddy::test::exercise_mutations(m, seed, versions.min, versions.max, rounds_per_api, handle);
    CHECK(handled > rounds_per_api / 5);
}

// Topic "m": three partitions with a few batches each, one trimmed by DeleteRecords.
struct data_topic {
    cluster_fixture f{2};
    std::vector<uint8_t> batch = simple_batch(3);

    data_topic() {
        f.create_topic({.name = "m", .partitions = 3, .leader_epoch = 2});
        for (int32_t p = 0; p < 3; ++p)
            for (int n = 0; n < 3; ++n) REQUIRE(f.produce_error("m", p, simple_batch(2)) == 0);
        REQUIRE(f.delete_records("m", 1, 2).topics.at(0).partitions.at(0).error_code == 0);
    }
};

TEST_CASE("mutated Produce requests are each answered with a response that encodes") {
    data_topic d;
    msg::produce_request seed;
    seed.acks = -1;
    seed.timeout_ms = 1000;
    for (int32_t p : {0, 2, 0}) {
        auto& t = seed.topic_data.emplace_back();
        t.name = "m";
        auto& part = t.partition_data.emplace_back();
        part.index = p;
        part.records = codec::bytes_view{d.batch.data(), d.batch.size(), false};
    }
    seed.topic_data.emplace_back().name = "missing";
    request_mutator m(34);
    exercise(m, seed, broker::produce_handler::supported, [&](msg::produce_request req, int16_t v) {
        check_encodes(d.f.produce(std::move(req), v), v);
    });
}

TEST_CASE("mutated Fetch requests are each answered with a response that encodes") {
    data_topic d;
    msg::fetch_request seed;
    seed.max_bytes = 1 << 20;
    seed.min_bytes = 1;
    for (int32_t p : {0, 1, 0, 2, 7}) {
        auto& t = seed.topics.emplace_back();
        t.topic = "m";
        t.topic_id = d.f.topic_id("m");
        auto& fp = t.partitions.emplace_back();
        fp.partition = p;
        fp.fetch_offset = p;
        fp.current_leader_epoch = 2;
        fp.last_fetched_epoch = 2;
        fp.partition_max_bytes = 100;
    }
    seed.forgotten_topics_data.emplace_back().topic = "m";
    request_mutator m(35);
    exercise(m, seed, broker::fetch_handler::supported, [&](msg::fetch_request req, int16_t v) {
        req.max_wait_ms = 0;  // a long poll would only make the test slow
        (void)d.f.fetch(std::move(req), v);  // encodes and decodes the response, or throws
    });
}

TEST_CASE("mutated ListOffsets requests are each answered with a response that encodes") {
    data_topic d;
    msg::list_offsets_request seed;
    seed.replica_id = -1;
    auto& t = seed.topics.emplace_back();
    t.name = "m";
    for (int32_t p : {0, 1, 2}) {
        auto& lp = t.partitions.emplace_back();
        lp.partition_index = p;
        lp.current_leader_epoch = 2;
        lp.timestamp = p == 0 ? -1 : p == 1 ? -2 : now_ms() - 1000;
    }
    seed.topics.emplace_back().name = "missing";
    request_mutator m(36);
    exercise(m, seed, broker::list_offsets_handler::supported,
             [&](msg::list_offsets_request req, int16_t v) {
                 check_encodes(d.f.list_offsets(std::move(req), v), v);
             });
}

TEST_CASE("mutated DeleteRecords requests are each answered with a response that encodes") {
    data_topic d;
    msg::delete_records_request seed;
    seed.timeout_ms = 1000;
    for (auto [p, offset] : std::array<std::pair<int32_t, int64_t>, 3>{{{0, 1}, {2, -1}, {0, 2}}}) {
        auto& t = seed.topics.emplace_back();
        t.name = "m";
        t.partitions.push_back({.partition_index = p, .offset = offset, .unknown_tagged_fields = {}});
    }
    seed.topics.emplace_back().name = "missing";
    request_mutator m(37);
    exercise(m, seed, broker::delete_records_handler::supported,
             [&](msg::delete_records_request req, int16_t v) {
                 handle_in_process<broker::delete_records_handler>(d.f, 21, std::move(req), v);
             });
}

TEST_CASE("mutated OffsetForLeaderEpoch requests are each answered with a response that encodes") {
    data_topic d;
    msg::offset_for_leader_epoch_request seed;
    seed.replica_id = -1;
    auto& t = seed.topics.emplace_back();
    t.topic = "m";
    for (int32_t p : {0, 1, 1}) {
        auto& op = t.partitions.emplace_back();
        op.partition = p;
        op.current_leader_epoch = 2;
        op.leader_epoch = p;
    }
    request_mutator m(38);
    exercise(m, seed, broker::offset_for_leader_epoch_handler::supported,
             [&](msg::offset_for_leader_epoch_request req, int16_t v) {
                 handle_in_process<broker::offset_for_leader_epoch_handler>(d.f, 23, std::move(req), v);
             });
}

}  // namespace
}  // namespace eddy::cluster::test
