// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/timer_queue.h"

namespace eddy::group {

void timer_queue::schedule(const timer_key& key, int64_t deadline_ms, task fn) {
    cancel(key);
    const uint64_t seq = next_seq_++;
    by_key_.emplace(key, entry{deadline_ms, seq, std::move(fn)});
    by_time_.emplace(deadline_ms, seq, key);
}

void timer_queue::cancel(const timer_key& key) {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return;
    by_time_.erase({it->second.deadline_ms, it->second.seq, key});
    by_key_.erase(it);
}

void timer_queue::clear() {
    by_key_.clear();
    by_time_.clear();
}

std::optional<int64_t> timer_queue::next_deadline() const {
    if (by_time_.empty()) return std::nullopt;
    return std::get<0>(*by_time_.begin());
}

std::optional<timer_queue::task> timer_queue::pop_due(int64_t now_ms) {
    if (by_time_.empty() || std::get<0>(*by_time_.begin()) > now_ms) return std::nullopt;
    const timer_key key = std::get<2>(*by_time_.begin());
    by_time_.erase(by_time_.begin());
    auto it = by_key_.find(key);
    task fn = std::move(it->second.fn);
    by_key_.erase(it);
    return fn;
}

}  // namespace eddy::group
