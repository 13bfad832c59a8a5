// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The coordinator runtime on real partitions: replies follow the appended records, and a
// shard loaded from the log answers what the previous one committed.
#include <doctest/doctest.h>

#include "runtime_fixture.h"

using namespace eddy;
using cluster::test::cluster_fixture;
using group::test::borrow;
using group::test::wait_loaded;

namespace {

msg::offset_commit_request commit_of(int64_t offset) {
    msg::offset_commit_request req;
    req.group_id = "g";
    auto& t = req.topics.emplace_back();
    t.name = "t";
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.committed_offset = offset;
    return req;
}

group::outcome<msg::offset_commit_response> commit(group::coordinator_runtime& rt,
                                                   cluster_fixture& f, int64_t offset,
                                                   int64_t* log_end_at_reply) {
    auto op = [req = commit_of(offset)](group::coordinator_shard& shard, int64_t now,
                                        group::reply<msg::offset_commit_response> done) {
        done(shard.offset_commit(req, 8, now));
    };
    auto r = cluster_fixture::run(rt.call<msg::offset_commit_response>(0, std::move(op)));
    *log_end_at_reply = f.log_of("__consumer_offsets", 0).log_end;
    return r;
}

int64_t fetch_committed(group::coordinator_runtime& rt) {
    using fetched_group = msg::offset_fetch_response::offset_fetch_response_group;
    auto op = [](group::coordinator_shard& shard, int64_t, group::reply<fetched_group> done) {
        msg::offset_fetch_request::offset_fetch_request_group g;
        g.group_id = "g";
        g.topics = std::nullopt;  // every committed offset
        done(shard.offset_fetch(g, 8, false));
    };
    auto r = cluster_fixture::run(rt.call<fetched_group>(0, std::move(op)));
    REQUIRE(r.error == error_code::none);
    REQUIRE(r.response.topics.size() == 1);
    REQUIRE(r.response.topics[0].partitions.size() == 1);
    return r.response.topics[0].partitions[0].committed_offset;
}

}  // namespace

TEST_SUITE("coordinator.runtime") {
    TEST_CASE("a commit is answered once its record is in the log, and a reloaded shard keeps it") {
        cluster_fixture f;
        f.create_topic({"__consumer_offsets", 1});
        {
            group::coordinator_runtime rt(1, {}, borrow(f.replicas()));
            rt.apply_image(f.replicas().image());
            wait_loaded(rt, 0);
            int64_t log_end = -1;
            auto r = commit(rt, f, 42, &log_end);
            REQUIRE(r.error == error_code::none);
            CHECK(r.response.topics.at(0).partitions.at(0).error_code == 0);
            CHECK(log_end >= 1);
            CHECK(fetch_committed(rt) == 42);
            rt.stop();
        }
        group::coordinator_runtime again(1, {}, borrow(f.replicas()));
        again.apply_image(f.replicas().image());
        wait_loaded(again, 0);
        CHECK(fetch_committed(again) == 42);
    }

    TEST_CASE("a group whose partition is not hosted here is answered NOT_COORDINATOR") {
        cluster_fixture f;
        f.create_topic({"__consumer_offsets", 2, {}, /*leader=*/2});
        group::coordinator_runtime rt(1, {}, borrow(f.replicas()));
        rt.apply_image(f.replicas().image());
        CHECK(rt.partition_count() == 2);
        CHECK(rt.hosted_partitions().empty());
        auto op = [](group::coordinator_shard& shard, int64_t now,
                     group::reply<msg::heartbeat_response> done) {
            done(shard.heartbeat({}, 4, now));
        };
        auto r = cluster_fixture::run(rt.call<msg::heartbeat_response>(1, std::move(op)));
        CHECK(r.error == error_code::not_coordinator);
    }
}
