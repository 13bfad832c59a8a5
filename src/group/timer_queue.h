// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Keyed one-shot timers for the sans-I/O coordinator: scheduling a key again replaces its
// timer, as Kafka's CoordinatorTimer does. Time is whatever the caller passes in.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

namespace eddy::group {

enum class timer_kind : uint8_t {
    heartbeat,       // a member's session (or a pending member's rejoin deadline)
    join,            // the end of a group's join phase
    sync,            // the deadline for every member's SyncGroup
    offset_expiry,   // the periodic offsets.retention check (group and member empty)
    consumer_session,    // a KIP-848 member's session
    consumer_rebalance,  // a KIP-848 member's deadline to revoke partitions
};

struct timer_key {
    timer_kind kind = timer_kind::heartbeat;
    std::string group;
    std::string member;
    auto operator<=>(const timer_key&) const = default;
};

// Lives on: the shard's executor; not shared.
class timer_queue {
public:
    using task = std::function<void()>;

    void schedule(const timer_key& key, int64_t deadline_ms, task fn);
    void cancel(const timer_key& key);
    void clear();
    bool contains(const timer_key& key) const { return by_key_.count(key) != 0; }
    std::optional<int64_t> next_deadline() const;
    // Removes and returns the earliest task due at now_ms (ties in scheduling order).
    std::optional<task> pop_due(int64_t now_ms);

private:
    struct entry {
        int64_t deadline_ms;
        uint64_t seq;
        task fn;
    };
    std::map<timer_key, entry> by_key_;
    std::set<std::tuple<int64_t, uint64_t, timer_key>> by_time_;
    uint64_t next_seq_ = 0;
};

}  // namespace eddy::group
