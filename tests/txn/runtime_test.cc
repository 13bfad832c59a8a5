// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The transaction coordinator runtime on a real __transaction_state partition, with a fake
// marker writer: replies follow the appended records, markers go out once PrepareX is
// durable, failed markers are retried, and a reloaded shard answers what was committed.
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <thread>

#include "cluster_fixture.h"
#include "txn/runtime/txn_runtime.h"

using namespace eddy;
using cluster::test::cluster_fixture;

namespace {

// Not owned: the fixture outlives every runtime of a test.
std::shared_ptr<cluster::replica_manager> borrow(cluster::replica_manager& rm) {
    return std::shared_ptr<cluster::replica_manager>(&rm, [](cluster::replica_manager*) {});
}

// Bounded only against a hang: loading and markers run on the partition's strand.
template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 10000 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return pred();
}

// Records every marker it is asked for and answers with the next scripted error for that
// partition (none once the script is used up).
struct fake_markers {
    struct written {
        std::string topic;
        int32_t partition;
        record::txn_marker marker;
    };
    std::mutex mutex;
    std::vector<written> calls;
    std::map<std::pair<std::string, int32_t>, std::vector<error_code>> script;

    txn::marker_writer writer() {
        return [this](const std::string& topic, int32_t partition, const record::txn_marker& m,
                      std::function<void(error_code)> done) {
            error_code e = error_code::none;
            {
                std::lock_guard lock(mutex);
                calls.push_back({topic, partition, m});
                auto& s = script[{topic, partition}];
                if (!s.empty()) {
                    e = s.front();
                    s.erase(s.begin());
                }
            }
            done(e);
        };
    }
    size_t count() {
        std::lock_guard lock(mutex);
        return calls.size();
    }
};

txn::txn_runtime_config fast_retries() {
    txn::txn_runtime_config c;
    c.num_partitions = 1;
    c.marker_retry_backoff_ms = 1;
    return c;
}

// Hosts the fixture's __transaction_state-0 and waits until it is loaded.
void host(txn::txn_runtime& rt, cluster_fixture& f) {
    rt.apply_image(f.replicas().image());
    REQUIRE(eventually([&] { return rt.is_loaded(0); }));
}

txn::outcome<txn::init_producer_id_result> init(txn::txn_runtime& rt, const std::string& id,
                                                int64_t candidate) {
    return cluster_fixture::run(rt.init_producer_id(0, id, 60000, std::nullopt, candidate));
}

error_code add(txn::txn_runtime& rt, const std::string& id, int64_t pid, int16_t epoch,
               std::vector<txn::topic_partition> partitions) {
    auto op = [=](txn::txn_coordinator_shard& shard, int64_t now) {
        return shard.add_partitions(id, pid, epoch, partitions, now);
    };
    auto r = cluster_fixture::run(rt.call<error_code>(0, std::move(op)));
    return r.error != error_code::none ? r.error : r.response;
}

error_code end(txn::txn_runtime& rt, const std::string& id, int64_t pid, int16_t epoch, bool commit) {
    auto op = [=](txn::txn_coordinator_shard& shard, int64_t now) {
        return shard.end_txn(id, pid, epoch, commit, now);
    };
    auto r = cluster_fixture::run(rt.call<error_code>(0, std::move(op)));
    return r.error != error_code::none ? r.error : r.response;
}

// Transactional id "tx" gets producer id 7 at epoch 0 and a transaction with `partition`.
void open_transaction(txn::txn_runtime& rt, txn::topic_partition partition) {
    auto id = init(rt, "tx", 7);
    REQUIRE(id.response.error == error_code::none);
    REQUIRE(id.response.producer_id == 7);
    CHECK(add(rt, "tx", 7, 0, {partition}) == error_code::none);
}

std::string state_of(txn::txn_runtime& rt, const std::string& id) {
    auto op = [=](txn::txn_coordinator_shard& shard, int64_t) { return shard.describe(id); };
    auto r = cluster_fixture::run(rt.call<txn::described_txn>(0, std::move(op)));
    REQUIRE(r.error == error_code::none);
    return r.response.state;
}

}  // namespace

TEST_SUITE("txn.runtime") {
    TEST_CASE("a committed transaction gets its markers, then CompleteCommit, and survives a reload") {
        cluster_fixture f;
        f.create_topic({"__transaction_state", 1, {}, 1, {1}, 3});
        fake_markers markers;
        // One partition answers NOT_LEADER_OR_FOLLOWER twice: retried until written.
        markers.script[{"t", 1}] = {error_code::not_leader_or_follower,
                                    error_code::not_leader_or_follower};
        {
            txn::txn_runtime rt(1, fast_retries(), borrow(f.replicas()), markers.writer());
            host(rt, f);

            auto id = init(rt, "tx", 1000);
            REQUIRE(id.error == error_code::none);
            REQUIRE(id.response.error == error_code::none);
            CHECK(id.response.producer_id == 1000);
            CHECK(id.response.producer_epoch == 0);
            const int64_t log_end_after_init = f.log_of("__transaction_state", 0).log_end;
            CHECK(log_end_after_init >= 1);  // the reply came after the Empty record

            CHECK(add(rt, "tx", 1000, 0, {{"t", 0}, {"t", 1}}) == error_code::none);
            CHECK(end(rt, "tx", 1000, 0, true) == error_code::none);
            REQUIRE(eventually([&] { return state_of(rt, "tx") == "CompleteCommit"; }));
            std::lock_guard lock(markers.mutex);
            // t-0 once, t-1 three times (two retriable failures), all COMMIT with the
            // partition's leader epoch as coordinator epoch.
            CHECK(markers.calls.size() == 4);
            for (const auto& c : markers.calls) {
                CHECK(c.topic == "t");
                CHECK(c.marker.commit);
                CHECK(c.marker.producer_id == 1000);
                CHECK(c.marker.producer_epoch == 0);
                CHECK(c.marker.coordinator_epoch == 3);
            }
        }
        // A new runtime loads the partition and finds the completed transaction; the next
        // InitProducerId bumps the epoch without a new producer id.
        txn::txn_runtime rt(1, fast_retries(), borrow(f.replicas()), markers.writer());
        host(rt, f);
        CHECK(state_of(rt, "tx") == "CompleteCommit");
        auto again = init(rt, "tx", 2000);
        REQUIRE(again.error == error_code::none);
        CHECK(again.response.producer_id == 1000);
        CHECK(again.response.producer_epoch == 1);
        // The unused candidate id is kept for the next call.
        CHECK(rt.take_spare_producer_id() == std::optional<int64_t>(2000));
        rt.stop();
    }

    TEST_CASE("markers of a deleted topic are dropped and the abort completes") {
        cluster_fixture f;
        f.create_topic({"__transaction_state", 1});
        f.create_topic({"gone", 1});
        fake_markers markers;
        markers.script[{"gone", 0}] = {error_code::unknown_topic_or_partition};
        txn::txn_runtime rt(1, fast_retries(), borrow(f.replicas()), markers.writer());
        host(rt, f);
        open_transaction(rt, {"gone", 0});
        f.delete_topic("gone");
        CHECK(end(rt, "tx", 7, 0, false) == error_code::none);
        REQUIRE(eventually([&] { return state_of(rt, "tx") == "CompleteAbort"; }));
        CHECK(markers.count() == 1);
        rt.stop();
    }

    TEST_CASE("a fenced marker stops the transaction's markers: it stays in PrepareCommit") {
        cluster_fixture f;
        f.create_topic({"__transaction_state", 1});
        fake_markers markers;
        markers.script[{"t", 0}] = {error_code::transaction_coordinator_fenced};
        txn::txn_runtime rt(1, fast_retries(), borrow(f.replicas()), markers.writer());
        host(rt, f);
        open_transaction(rt, {"t", 0});
        CHECK(end(rt, "tx", 7, 0, true) == error_code::none);
        REQUIRE(eventually([&] { return rt.markers_in_flight() == 0 && markers.count() == 1; }));
        CHECK(state_of(rt, "tx") == "PrepareCommit");
        // The producer retrying its commit is told to wait, as Kafka answers.
        CHECK(end(rt, "tx", 7, 0, true) == error_code::concurrent_transactions);
        rt.stop();
    }

    TEST_CASE("calls to a partition not hosted here answer NOT_COORDINATOR") {
        cluster_fixture f;
        fake_markers markers;
        txn::txn_runtime rt(1, fast_retries(), borrow(f.replicas()), markers.writer());
        rt.apply_image(f.replicas().image());
        CHECK(rt.partition_count() == 0);
        auto r = init(rt, "tx", 5);
        CHECK(r.error == error_code::not_coordinator);
        rt.stop();
    }
}
