// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// TxnOffsetCommit and transaction markers on one shard: offsets pending per producer
// until the marker, OffsetFetch with require_stable, deletion, expiry and replay.
#include "consumer_fixture.h"
#include "shard_fixture.h"

using namespace eddy;
using namespace eddy::group_test;

namespace {

constexpr int64_t producer = 4000;
constexpr int16_t producer_epoch = 3;

struct txn_args {
    std::string group = "g";
    int64_t producer_id = producer;
    int32_t generation = -1;
    std::string member_id;
    std::optional<std::string> instance;
    int16_t version = 3;
    std::vector<std::tuple<std::string, int32_t, int64_t>> offsets = {{"t1", 0, 100}};
    std::string metadata = "txn";
};

// A commit of one offset of t1 in group "g" by `producer_id`.
txn_args txn_of(int64_t producer_id, int32_t partition, int64_t offset) {
    txn_args a;
    a.producer_id = producer_id;
    a.offsets = {{"t1", partition, offset}};
    return a;
}

// TxnOffsetCommit from the producer, as `a` describes it.
msg::txn_offset_commit_response send_txn(harness& h, const txn_args& a) {
    msg::txn_offset_commit_request r;
    r.transactional_id = "tx";
    r.group_id = a.group;
    r.producer_id = a.producer_id;
    r.producer_epoch = producer_epoch;
    r.generation_id = a.generation;
    r.member_id = a.member_id;
    r.group_instance_id = a.instance;
    for (const auto& [topic, partition, offset] : a.offsets) {
        if (r.topics.empty() || r.topics.back().name != topic) r.topics.emplace_back().name = topic;
        auto& p = r.topics.back().partitions.emplace_back();
        p.partition_index = partition;
        p.committed_offset = offset;
        p.committed_metadata = a.metadata;
    }
    auto resp = h.shard.txn_offset_commit(r, a.version, h.now);
    h.collect();
    return resp;
}

// What happened on the shard, in log order: a record, or a transaction marker.
struct logged {
    std::optional<coordinator_record> record;
    int64_t marker_producer = -1;
    bool commit = false;
};

struct txn_harness : harness {
    using harness::harness;
    std::vector<logged> events;

    // Moves the records written since the last call into `events`.
    void take() {
        collect();
        for (auto& r : log) events.push_back({std::move(r), -1, false});
        log.clear();
    }

    msg::txn_offset_commit_response txn_commit(const txn_args& a) {
        auto resp = send_txn(*this, a);
        take();
        return resp;
    }

    // The marker was written: the shard ends the transaction.
    void marker(int64_t producer_id, bool commit) {
        shard.replay_end_transaction(producer_id, commit);
        events.push_back({std::nullopt, producer_id, commit});
    }

    msg::offset_fetch_response::offset_fetch_response_group fetch_stable(
        const std::string& group, std::optional<std::vector<int32_t>> partitions = {}) {
        msg::offset_fetch_request::offset_fetch_request_group g;
        g.group_id = group;
        if (partitions)
            g.topics = {{"t1", *partitions, {}}};
        else
            g.topics = std::nullopt;
        return shard.offset_fetch(g, 9, true);
    }
};

// OffsetFetch of every offset of "g", stable or not.
msg::offset_fetch_response::offset_fetch_response_group fetch_all(coordinator_shard& shard,
                                                                  bool stable) {
    msg::offset_fetch_request::offset_fetch_request_group all;
    all.group_id = "g";
    all.topics = std::nullopt;
    return shard.offset_fetch(all, 9, stable);
}

std::vector<int16_t> errors(const msg::txn_offset_commit_response& r) {
    std::vector<int16_t> out;
    for (const auto& t : r.topics) {
        for (const auto& p : t.partitions) out.push_back(p.error_code);
    }
    return out;
}

// The committed offset of t1-`partition` as OffsetFetch (not stable) answers it.
int64_t committed(harness& h, const std::string& group, int32_t partition) {
    auto f = h.fetch(
        group, std::vector<std::pair<std::string, std::vector<int32_t>>>{{"t1", {partition}}});
    REQUIRE(f.topics.size() == 1);
    REQUIRE(f.topics[0].partitions.size() == 1);
    return f.topics[0].partitions[0].committed_offset;
}

// A shard rebuilt from the events of `h`, markers included.
std::unique_ptr<coordinator_shard> rebuild(const txn_harness& h) {
    auto shard = std::make_unique<coordinator_shard>(h.config);
    for (const auto& e : h.events) {
        if (!e.record) {
            shard->replay_end_transaction(e.marker_producer, e.commit);
            continue;
        }
        std::optional<std::span<const uint8_t>> value;
        if (e.record->value) value = std::span<const uint8_t>(*e.record->value);
        REQUIRE(shard->replay(e.record->key, value, e.record->producer_id));
    }
    shard->loaded(h.now);
    return shard;
}

}  // namespace

TEST_SUITE("group.txn_offsets") {
    TEST_CASE("transactional offsets become visible at the commit marker") {
        txn_harness h;
        harness::commit_args plain;
        plain.offsets = {{"t1", 0, 10}};
        h.commit(plain);
        h.take();

        CHECK(errors(h.txn_commit({})) == std::vector<int16_t>{0});
        // Written in the producer's transactional batch.
        REQUIRE(h.events.size() == 2);
        CHECK(h.events[1].record->producer_id == producer);
        CHECK(h.events[1].record->producer_epoch == producer_epoch);
        CHECK(h.events[0].record->producer_id == -1);
        // Until the marker only the committed offset is seen.
        CHECK(committed(h, "g", 0) == 10);

        h.marker(producer, true);
        CHECK(committed(h, "g", 0) == 100);
        auto f = h.fetch_stable("g", std::vector<int32_t>{0});
        CHECK(f.topics[0].partitions[0].error_code == 0);
        CHECK(f.topics[0].partitions[0].metadata == "txn");
    }

    TEST_CASE("an aborted transaction's offsets are dropped") {
        txn_harness h;
        harness::commit_args plain;
        plain.offsets = {{"t1", 0, 10}};
        h.commit(plain);
        h.txn_commit({});
        h.marker(producer, false);
        CHECK(committed(h, "g", 0) == 10);
        // A later commit marker of the same producer finds nothing left to commit.
        h.marker(producer, true);
        CHECK(committed(h, "g", 0) == 10);
        CHECK(h.fetch_stable("g", std::vector<int32_t>{0}).topics[0].partitions[0].error_code == 0);
    }

    TEST_CASE(
        "require_stable answers UNSTABLE_OFFSET_COMMIT for partitions of an open transaction") {
        txn_harness h;
        harness::commit_args plain;
        plain.offsets = {{"t1", 0, 10}, {"t1", 1, 11}};
        h.commit(plain);
        txn_args a;
        a.offsets = {{"t1", 0, 100}};
        h.txn_commit(a);

        auto f = h.fetch_stable("g", std::vector<int32_t>{0, 1});
        REQUIRE(f.topics[0].partitions.size() == 2);
        CHECK(f.error_code == 0);  // per partition, not for the group
        CHECK(f.topics[0].partitions[0].error_code == code(error_code::unstable_offset_commit));
        CHECK(f.topics[0].partitions[0].committed_offset == -1);
        CHECK(f.topics[0].partitions[1].error_code == 0);
        CHECK(f.topics[0].partitions[1].committed_offset == 11);
        // The whole group too.
        auto all = h.fetch_stable("g");
        REQUIRE(all.topics.size() == 1);
        CHECK(all.topics[0].partitions[0].error_code == code(error_code::unstable_offset_commit));
        CHECK(all.topics[0].partitions[1].error_code == 0);
        // Without require_stable: the committed offset.
        CHECK(committed(h, "g", 0) == 10);

        h.marker(producer, true);
        f = h.fetch_stable("g", std::vector<int32_t>{0, 1});
        CHECK(f.topics[0].partitions[0].error_code == 0);
        CHECK(f.topics[0].partitions[0].committed_offset == 100);
    }

    TEST_CASE("of a transactional and a plain commit, the one written later wins") {
        txn_harness h;
        h.txn_commit({});  // offset 100, pending
        harness::commit_args plain;
        plain.offsets = {{"t1", 0, 50}};
        h.commit(plain);
        h.marker(producer, true);
        CHECK(committed(h, "g", 0) == 50);

        txn_args second;
        second.offsets = {{"t1", 0, 200}};
        h.txn_commit(second);
        h.marker(producer, true);
        CHECK(committed(h, "g", 0) == 200);
    }

    TEST_CASE("producers' transactions end independently") {
        txn_harness h;
        h.txn_commit(txn_of(producer, 0, 100));
        h.txn_commit(txn_of(producer + 1, 1, 200));
        h.marker(producer + 1, true);
        auto f = h.fetch_stable("g", std::vector<int32_t>{0, 1});
        CHECK(f.topics[0].partitions[0].error_code == code(error_code::unstable_offset_commit));
        CHECK(f.topics[0].partitions[1].committed_offset == 200);
        h.marker(producer, false);
        CHECK(committed(h, "g", 0) == -1);
    }

    TEST_CASE("TxnOffsetCommit validation") {
        txn_harness h;
        SUBCASE("an unknown group with a generation is ILLEGAL_GENERATION") {
            txn_args a;
            a.group = "none";
            a.generation = 1;
            a.member_id = "m";
            CHECK(errors(h.txn_commit(a)) ==
                  std::vector<int16_t>{code(error_code::illegal_generation)});
            CHECK(h.events.empty());
        }
        SUBCASE("an empty group id is INVALID_GROUP_ID") {
            txn_args a;
            a.group = "";
            CHECK(errors(h.txn_commit(a)) ==
                  std::vector<int16_t>{code(error_code::invalid_group_id)});
        }
        SUBCASE("metadata over offset.metadata.max.bytes fails only its partitions") {
            txn_args a;
            a.metadata = std::string(h.config.offset_metadata_max_bytes + 1, 'x');
            a.offsets = {{"t1", 0, 1}, {"t1", 1, 2}};
            CHECK(errors(h.txn_commit(a)) ==
                  std::vector<int16_t>{code(error_code::offset_metadata_too_large),
                                       code(error_code::offset_metadata_too_large)});
            a.metadata = "ok";
            CHECK(errors(h.txn_commit(a)) == std::vector<int16_t>{0, 0});
        }
        SUBCASE("members of a classic group are checked from v3") {
            auto s = make_stable(h, "g", 2);
            h.take();
            h.events.clear();
            txn_args a;
            a.member_id = s.members[0];
            a.generation = s.generation + 1;
            CHECK(errors(h.txn_commit(a)) ==
                  std::vector<int16_t>{code(error_code::illegal_generation)});
            a.member_id = "stranger";
            a.generation = s.generation;
            CHECK(errors(h.txn_commit(a)) ==
                  std::vector<int16_t>{code(error_code::unknown_member_id)});
            CHECK(h.events.empty());
            a.member_id = s.members[1];
            CHECK(errors(h.txn_commit(a)) == std::vector<int16_t>{0});
            // Versions before v3 carry no member: taken although the group has members.
            txn_args old;
            old.version = 2;
            CHECK(errors(h.txn_commit(old)) == std::vector<int16_t>{0});
        }
        SUBCASE("a transactional commit does not wait for the group's assignment") {
            auto j = h.join_new({});
            h.advance(h.config.group_initial_rebalance_delay_ms);
            REQUIRE(h.state("g") == "CompletingRebalance");
            txn_args a;
            a.member_id = (*j)->member_id;
            a.generation = (*j)->generation_id;
            CHECK(errors(h.txn_commit(a)) == std::vector<int16_t>{0});
        }
    }

    TEST_CASE("OffsetDelete, DeleteGroups and topic deletion drop pending offsets with a tombstone") {
        txn_harness h;
        txn_args a;
        a.group = "s";
        a.offsets = {{"t1", 0, 100}};
        h.txn_commit(a);

        SUBCASE("OffsetDelete") {
            msg::offset_delete_request d;
            d.group_id = "s";
            auto& t = d.topics.emplace_back();
            t.name = "t1";
            t.partitions.emplace_back().partition_index = 0;
            auto r = h.shard.offset_delete(d, 0, h.now);
            CHECK(r.error_code == 0);
        }
        SUBCASE("DeleteGroups") { CHECK(h.shard.delete_group("s", h.now) == 0); }
        SUBCASE("the topic's deletion") { h.shard.partitions_deleted({{"t1", {0}}}, h.now); }

        h.take();
        REQUIRE(!h.events.empty());
        CHECK_FALSE(h.events.back().record->value.has_value());
        CHECK(h.fetch_stable("s", std::vector<int32_t>{0}).topics[0].partitions[0].error_code == 0);
        // The transaction's commit has nothing left to make visible.
        h.marker(producer, true);
        CHECK(committed(h, "s", 0) == -1);
    }

    TEST_CASE("expiry keeps offsets and the group while a transaction is open") {
        coordinator_config c;
        c.offsets_retention_minutes = 1;
        c.offsets_retention_check_interval_ms = 1000;
        txn_harness h(c);
        harness::commit_args plain;
        plain.group = "s";
        plain.offsets = {{"t1", 0, 10}};
        h.commit(plain);
        txn_args a;
        a.group = "s";
        a.offsets = {{"t1", 0, 100}, {"t1", 1, 101}};
        h.txn_commit(a);
        h.advance(120000);
        CHECK(committed(h, "s", 0) == 10);
        CHECK(h.state("s") == "Empty");

        h.marker(producer, false);
        h.advance(120000);
        CHECK(committed(h, "s", 0) == -1);
        CHECK(h.state("s") == "Dead");
    }

    TEST_CASE("a shard rebuilt from records and markers answers as the one that wrote them") {
        txn_harness h;
        harness::commit_args plain;
        plain.offsets = {{"t1", 0, 10}, {"t1", 1, 11}};
        h.commit(plain);
        h.take();
        h.txn_commit(txn_of(producer, 0, 100));       // committed below
        h.txn_commit(txn_of(producer + 1, 1, 200));  // aborted below
        plain.offsets = {{"t1", 2, 12}};
        h.commit(plain);
        h.take();
        h.marker(producer, true);
        h.marker(producer + 1, false);
        h.txn_commit(txn_of(producer + 2, 2, 300));  // left open

        auto copy = rebuild(h);
        for (bool stable : {false, true})
            CHECK(fetch_all(h.shard, stable) == fetch_all(*copy, stable));
        auto f = h.fetch_stable("g");
        REQUIRE(f.topics.size() == 1);
        REQUIRE(f.topics[0].partitions.size() == 3);
        CHECK(f.topics[0].partitions[0].committed_offset == 100);
        CHECK(f.topics[0].partitions[1].committed_offset == 11);
        CHECK(f.topics[0].partitions[2].error_code == code(error_code::unstable_offset_commit));

        // Both end the open transaction alike.
        h.marker(producer + 2, true);
        copy->replay_end_transaction(producer + 2, true);
        CHECK(fetch_all(h.shard, true) == fetch_all(*copy, true));
        CHECK(committed(h, "g", 2) == 300);
    }

    TEST_CASE("TxnOffsetCommit to a consumer group checks only the member it names") {
        consumer_harness h;
        h.image.add("t", 1);
        consumer_client m;
        m.join(h);
        REQUIRE(m.last_error == 0);
        txn_args a;
        a.group = "cg";
        a.offsets = {{"t", 0, 5}};
        a.member_id = m.id;
        a.generation = m.epoch;
        CHECK(errors(send_txn(h, a)) == std::vector<int16_t>{0});
        a.generation = m.epoch + 1;
        CHECK(errors(send_txn(h, a)) == std::vector<int16_t>{code(error_code::illegal_generation)});
        a.member_id = "nobody";
        CHECK(errors(send_txn(h, a)) == std::vector<int16_t>{code(error_code::unknown_member_id)});
        // Versions before v3 name no member.
        txn_args old;
        old.group = "cg";
        old.version = 2;
        CHECK(errors(send_txn(h, old)) == std::vector<int16_t>{0});
    }
}
