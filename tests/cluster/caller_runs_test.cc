// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// replica_manager::on_each_here: where a partition's work runs, and in what order.
#include "cluster_fixture.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace eddy::cluster::test {
namespace {

using ps_t = std::vector<std::shared_ptr<partition>>;

// Which thread ran each call, and in what order the calls ran.
struct trace {
    std::mutex mu;
    std::vector<size_t> order;
};

auto record_call(std::shared_ptr<trace> t) {
    return [t](partition&, size_t i) {
        std::lock_guard lock(t->mu);
        t->order.push_back(i);
        return std::this_thread::get_id();
    };
}

std::vector<std::thread::id> run_here(const ps_t& ps, std::shared_ptr<trace> t,
                                      std::vector<bool> blocks) {
    return cluster_fixture::run([&]() -> asio::awaitable<std::vector<std::thread::id>> {
        auto hop = replica_manager::on_each_here(
            ps, record_call(t), [blocks](const partition&, size_t i) { return blocks[i]; });
        co_return co_await std::move(hop);
    }());
}

TEST_CASE("An idle partition strand runs the call on the calling thread") {
    cluster_fixture f;
    f.create_topic({.name = "t1", .partitions = 2});
    ps_t ps{f.replicas().find("t1", 0), f.replicas().find("t1", 1), f.replicas().find("t1", 0)};
    // A strand is idle once the pool has finished what the topic's creation posted there,
    // and a round of the pool's own may still hold it for a moment after: some round of a
    // few must find both idle. A round that found a strand busy ran its call on the pool,
    // which holds the strand again for a moment, so each retry first waits a little longer
    // for that pool thread to let go (on a loaded machine it may be descheduled there).
    // Calls for one partition run in order either way.
    bool all_here = false;
    for (int round = 0; round < 50 && !all_here; ++round) {
        std::this_thread::sleep_for(std::chrono::milliseconds(round));
        auto t = std::make_shared<trace>();
        auto ran = run_here(ps, t, {false, false, false});
        all_here = std::all_of(ran.begin(), ran.end(),
                               [](auto id) { return id == std::this_thread::get_id(); });
        auto at = [&](size_t i) {
            return std::find(t->order.begin(), t->order.end(), i) - t->order.begin();
        };
        REQUIRE(t->order.size() == 3);
        CHECK(at(0) < at(2));
    }
    CHECK(all_here);
}

TEST_CASE("A call that may wait on the disk goes to the pool, still ahead of what follows it") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    auto p = f.replicas().find("t1", 0);
    auto t = std::make_shared<trace>();
    // The first call is sent on to the pool; the second, for the same partition, may run
    // anywhere but never before it.
    auto ran = run_here({p, p}, t, {true, false});
    CHECK(ran[0] != std::this_thread::get_id());
    CHECK(t->order == std::vector<size_t>{0, 1});
}

TEST_CASE("A busy partition strand queues the call on the pool") {
    cluster_fixture f(3);  // the blocker holds one pool thread
    f.create_topic({.name = "t1", .partitions = 2});
    auto busy = f.replicas().find("t1", 0);
    auto idle = f.replicas().find("t1", 1);
    std::promise<void> started, release;
    std::shared_future<void> released = release.get_future().share();
    asio::post(busy->executor(), [&started, released] {
        started.set_value();
        released.wait();
    });
    started.get_future().wait();  // the strand is now held by a pool thread
    // The busy partition's call is queued first; the second call, wherever it runs, comes
    // after that and lets the blocker go.
    auto ran = cluster_fixture::run([&]() -> asio::awaitable<std::vector<std::thread::id>> {
        auto hop = replica_manager::on_each_here(
            ps_t{busy, idle},
            [&release](partition&, size_t i) {
                if (i == 1) release.set_value();
                return std::this_thread::get_id();
            },
            [](const partition&, size_t) { return false; });
        co_return co_await std::move(hop);
    }());
    CHECK(ran[0] != std::this_thread::get_id());
}

TEST_CASE("An append may fsync under flush.messages, at a roll, and not otherwise") {
    cluster_fixture f;
    f.create_topic({.name = "t1", .configs = {{"segment.bytes", "1048576"}}});
    f.create_topic({.name = "t2", .configs = {{"flush.messages", "1"}}});
    auto may_sync = [&](const std::string& topic, size_t bytes) {
        return cluster_fixture::run([&]() -> asio::awaitable<bool> {
            co_return co_await replica_manager::on(
                f.replicas().find(topic, 0),
                [bytes](partition& p) { return p.append_may_sync(bytes, now_ms()); });
        }());
    };
    CHECK_FALSE(may_sync("t1", 1000));
    CHECK(may_sync("t1", 2 << 20));  // past segment.bytes: a roll
    CHECK(may_sync("t2", 1000));
}

}  // namespace
}  // namespace eddy::cluster::test
