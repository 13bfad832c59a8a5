// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The partitions of an internal topic whose coordinator shard this broker hosts: one slot
// per partition it leads, replaced as metadata images arrive.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <asio.hpp>

#include "cluster/replica_manager.h"
#include "hosting/hosting.h"
#include "metadata/metadata_image.h"

namespace eddy::hosting {

// Slot: the runtime's per-partition state, with a `std::shared_ptr<cluster::partition>
// partition` member (its executor is the slot's strand) and a
// `std::atomic<hosting::slot_state> state`.
//
// Thread-safe: the map is an immutable snapshot swapped atomically; find() and partitions()
// from any thread. apply() (the metadata thread) and clear() (the thread stopping the
// broker, while images may still arrive) exclude each other; after clear(), apply() does
// nothing.
template <class Slot>
class slot_map {
public:
    using slot_ptr = std::shared_ptr<Slot>;
    using map = std::map<int32_t, slot_ptr>;

    slot_ptr find(int32_t partition) const {
        std::shared_ptr<const map> slots = std::atomic_load(&slots_);
        auto it = slots->find(partition);
        return it == slots->end() ? nullptr : it->second;
    }

    std::vector<int32_t> partitions() const {
        std::shared_ptr<const map> slots = std::atomic_load(&slots_);
        std::vector<int32_t> out;
        for (const auto& [index, s] : *slots) out.push_back(index);
        return out;
    }

    // The slots for the partitions of `topic` (null: none) that `node_id` leads. The replica
    // manager applied the same image first, so a partition led here is open unless its log
    // could not be opened (then it gets no slot). An existing slot for the same open
    // partition is kept when keep(slot, partition_state) agrees; otherwise
    // make(partition, partition_state) makes a new one, and load(slot_ptr) is posted to its
    // strand. Slots no longer in the map get unload(slot) on theirs.
    template <class Keep, class Make, class Load, class Unload>
    void apply(const metadata::topic_image* topic, std::string_view topic_name, int32_t node_id,
               cluster::replica_manager& replicas, Keep keep, Make make, Load load,
               Unload unload) {
        std::lock_guard lock(control_);
        if (cleared_) return;
        std::shared_ptr<const map> old = std::atomic_load(&slots_);
        auto next = std::make_shared<map>();
        std::vector<slot_ptr> added;
        if (topic != nullptr) {
            for (const auto& [index, state] : topic->partitions) {
                if (state.leader != node_id) continue;
                std::shared_ptr<cluster::partition> p = replicas.find(topic_name, index);
                if (!p) continue;
                if (auto it = old->find(index);
                    it != old->end() && it->second->partition == p && keep(*it->second, state)) {
                    (*next)[index] = it->second;
                    continue;
                }
                slot_ptr s = make(std::move(p), state);
                (*next)[index] = s;
                added.push_back(std::move(s));
            }
        }
        std::atomic_store(&slots_, std::shared_ptr<const map>(next));
        for (const slot_ptr& s : added) asio::post(s->partition->executor(), [s, load] { load(s); });
        for (const auto& [index, s] : *old) {
            auto it = next->find(index);
            if (it == next->end() || it->second != s)
                asio::post(s->partition->executor(), [s, unload] { unload(*s); });
        }
    }

    // Runs call(slot_ptr) on the strand of `partition`'s slot when that slot is loaded;
    // otherwise fail(error) with what hosting::call_error() answers (NOT_COORDINATOR at
    // once, here, when there is no such slot).
    template <class Call>
    void post_call(int32_t partition, std::function<void(error_code)> fail, Call call) const {
        slot_ptr s = find(partition);
        if (!s) {
            fail(error_code::not_coordinator);
            return;
        }
        asio::post(s->partition->executor(), [s, fail = std::move(fail), call = std::move(call)]() mutable {
            if (error_code e = call_error(s->state.load()); e != error_code::none) {
                fail(e);
                return;
            }
            call(s);
        });
    }

    // Empties the map and runs unload(slot) on each slot's strand, waiting for all of them.
    template <class Unload>
    void clear(Unload unload) {
        std::lock_guard lock(control_);
        cleared_ = true;
        std::shared_ptr<const map> slots = std::atomic_load(&slots_);
        std::vector<std::future<void>> done;
        for (const auto& [index, s] : *slots) {
            std::promise<void> promise;
            done.push_back(promise.get_future());
            asio::post(s->partition->executor(), [s, unload, promise = std::move(promise)]() mutable {
                unload(*s);
                promise.set_value();
            });
        }
        for (auto& f : done) f.wait();
        std::atomic_store(&slots_, std::make_shared<const map>());
    }

private:
    std::shared_ptr<const map> slots_ = std::make_shared<const map>();
    std::mutex control_;  // apply() and clear(): the control path only, never a request's
    bool cleared_ = false;
};

}  // namespace eddy::hosting
