// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "eddy/msg/consumer_group_metadata_key.h"
#include "eddy/msg/consumer_group_metadata_value.h"
#include "eddy/msg/group_metadata_key.h"
#include "eddy/msg/group_metadata_value.h"
#include "eddy/msg/offset_commit_key.h"
#include "eddy/msg/offset_commit_value.h"
#include "group/records.h"
#include "shard_fixture.h"

using namespace eddy;
using namespace eddy::group_test;

namespace {

bool replay(coordinator_shard& shard, const coordinator_record& r) {
    std::optional<std::span<const uint8_t>> value;
    if (r.value) value = std::span<const uint8_t>(*r.value);
    return shard.replay(r.key, value);
}

// A shard rebuilt from the records of `h`.
std::unique_ptr<coordinator_shard> rebuild(const harness& h) {
    auto shard = std::make_unique<coordinator_shard>(h.config);
    for (const auto& r : h.log) REQUIRE(replay(*shard, r));
    shard->loaded(h.now);
    return shard;
}

// What a client can see of a group: DescribeGroups and every committed offset.
void check_same(coordinator_shard& a, coordinator_shard& b, const std::string& group) {
    CHECK(a.describe_group(group, 5) == b.describe_group(group, 5));
    msg::offset_fetch_request::offset_fetch_request_group all;
    all.group_id = group;
    all.topics = std::nullopt;
    CHECK(a.offset_fetch(all, 9, false) == b.offset_fetch(all, 9, false));
}

void check_same_lists(coordinator_shard& a, coordinator_shard& b) {
    CHECK(a.list_groups({}, {}, 5) == b.list_groups({}, {}, 5));
}

}  // namespace

TEST_SUITE("group.replay") {
    TEST_CASE("a shard rebuilt from the records answers as the one that wrote them") {
        harness h;
        auto s = make_stable(h, "g", 3);
        harness::commit_args a;
        a.member_id = s.members[1];
        a.generation = s.generation;
        a.offsets = {{"t1", 0, 100}, {"t1", 1, 101}};
        a.leader_epoch = 7;
        h.commit(a);
        harness::commit_args simple;
        simple.group = "simple";
        simple.version = 1;
        h.commit(simple);
        harness::commit_args retained;
        retained.group = "retained";
        retained.version = 3;
        retained.retention_ms = 1000000;
        h.commit(retained);
        // A static member restarted without a rebalance: written with its new member id.
        join_args st;
        st.group = "static";
        st.instance = "i";
        auto first = join_alone(h, st);
        h.sync("static", (*first)->member_id, 1, {{(*first)->member_id, bytes("x")}}, "i");
        auto restarted = h.join(st);
        REQUIRE(restarted->has_value());

        auto copy = rebuild(h);
        for (const char* g : {"g", "simple", "retained", "static", "never"}) {
            check_same(h.shard, *copy, g);
        }
        check_same_lists(h.shard, *copy);
        CHECK(copy->describe_group("static", 5).members[0].member_id == (*restarted)->member_id);

        SUBCASE("and after deletions") {
            for (const auto& m : s.members) h.leave("g", {{m, std::nullopt}});
            REQUIRE(h.state("g") == "Empty");
            msg::offset_delete_request r;
            r.group_id = "g";
            auto& t = r.topics.emplace_back();
            t.name = "t1";
            t.partitions.emplace_back().partition_index = 1;
            CHECK(h.shard.offset_delete(r, 0, h.now).topics[0].partitions[0].error_code == 0);
            CHECK(h.shard.delete_group("simple", h.now) == 0);
            h.collect();
            auto again = rebuild(h);
            for (const char* g : {"g", "simple", "retained", "static"}) {
                check_same(h.shard, *again, g);
            }
            check_same_lists(h.shard, *again);
            CHECK(again->describe_group("simple", 5).group_state == "Dead");
            CHECK(again->describe_group("g", 5).group_state == "Empty");
        }
    }

    TEST_CASE("a rebuilt Stable group keeps its members alive only while they heartbeat") {
        harness h;
        auto s = make_stable(h, "g", 2);
        auto copy = rebuild(h);
        msg::heartbeat_request hb;
        hb.group_id = "g";
        hb.member_id = s.members[0];
        hb.generation_id = s.generation;
        CHECK(copy->heartbeat(hb, 4, h.now + 5000).error_code == 0);
        // Sessions restart at load; the member that did not heartbeat goes.
        copy->on_timer(h.now + 10000);
        CHECK(copy->describe_group("g", 5).group_state == "PreparingRebalance");
    }

    TEST_CASE("replay reads every version Kafka has written") {
        coordinator_shard shard({});
        msg::offset_commit_key key;
        key.group = "old";
        key.topic = "t";
        msg::offset_commit_value value;
        value.offset = 5;
        value.metadata = "md";
        value.commit_timestamp = 1;
        value.expire_timestamp = 2;
        value.leader_epoch = 3;
        for (int16_t kv = 0; kv <= 1; ++kv) {
            for (int16_t vv = 0; vv <= 4; ++vv) {
                key.partition = kv * 10 + vv;
                auto k = encode_versioned(kv, key);
                auto v = encode_versioned(vv, value);
                CHECK(shard.replay(k, std::span<const uint8_t>(v)));
            }
        }
        msg::offset_fetch_request::offset_fetch_request_group all;
        all.group_id = "old";
        all.topics = std::nullopt;
        auto fetched = shard.offset_fetch(all, 9, false);
        REQUIRE(fetched.topics.size() == 1);
        REQUIRE(fetched.topics[0].partitions.size() == 10);
        for (const auto& p : fetched.topics[0].partitions) {
            CHECK(p.committed_offset == 5);
            CHECK(p.metadata == "md");
            // Only v3 and later carry a leader epoch.
            CHECK(p.committed_leader_epoch == (p.partition_index % 10 >= 3 ? 3 : -1));
        }

        msg::group_metadata_key gk;
        gk.group = "grp";
        msg::group_metadata_value gv;
        gv.protocol_type = "consumer";
        gv.generation = 4;
        gv.protocol = "range";
        gv.leader = "m1";
        auto& m = gv.members.emplace_back();
        m.member_id = "m1";
        m.client_id = "c";
        m.client_host = "/10.0.0.1";
        m.session_timeout = 10000;
        m.subscription = subscription({"t"});
        m.assignment = bytes("a");
        for (int16_t vv = 0; vv <= 4; ++vv) {
            auto k = encode_versioned(2, gk);
            auto v = encode_versioned(vv, gv);
            CHECK(shard.replay(k, std::span<const uint8_t>(v)));
            auto d = shard.describe_group("grp", 5);
            CHECK(d.group_state == "Stable");
            CHECK(d.protocol_data == "range");
            REQUIRE(d.members.size() == 1);
            CHECK(d.members[0].member_assignment == bytes("a"));
        }
    }

    TEST_CASE("replay skips record types it does not handle and refuses bytes that do not parse") {
        coordinator_shard shard({});
        msg::consumer_group_metadata_key ck;
        ck.group_id = "kip848";
        msg::consumer_group_metadata_value cv;
        cv.epoch = 3;
        auto k = encode_versioned(3, ck);
        auto v = encode_versioned(0, cv);
        CHECK(shard.replay(k, std::span<const uint8_t>(v)));
        CHECK(shard.replay(k, std::nullopt));
        CHECK(shard.describe_group("kip848", 5).group_state == "Dead");
        // A type from a newer Kafka is skipped, as Kafka's loader does.
        std::vector<uint8_t> future{0x00, 0x2a, 0x01};
        CHECK(shard.replay(future, std::nullopt));
        // Garbage in a known type is refused.
        std::vector<uint8_t> bad{0x00, 0x03, 0x7f};
        CHECK_FALSE(shard.replay(bad, std::nullopt));
        CHECK_FALSE(shard.replay(std::vector<uint8_t>{0x00}, std::nullopt));
        CHECK_FALSE(shard.replay(std::vector<uint8_t>{0xff, 0xff}, std::nullopt));
    }

    TEST_CASE("replay refuses every truncation of a record and changes nothing") {
        harness h;
        make_stable(h, "g", 2);
        harness::commit_args c;
        c.group = "s";
        h.commit(c);
        REQUIRE(h.log.size() >= 2);
        coordinator_shard fresh({});
        for (const auto& r : h.log) {
            for (size_t n = 0; n < r.key.size(); ++n) {
                std::span<const uint8_t> key(r.key.data(), n);
                std::optional<std::span<const uint8_t>> value;
                if (r.value) value = std::span<const uint8_t>(*r.value);
                CHECK_FALSE(fresh.replay(key, value));
            }
            if (!r.value) continue;
            for (size_t n = 0; n < r.value->size(); ++n) {
                CHECK_FALSE(fresh.replay(r.key, std::span<const uint8_t>(r.value->data(), n)));
            }
        }
        CHECK(fresh.list_groups({}, {}, 5).empty());
    }
}
