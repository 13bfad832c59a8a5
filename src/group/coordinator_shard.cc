// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The shard's entry points: each sets the time, runs one operation of the group or offset
// manager, and makes the replies that operation queued.
#include "group/coordinator_shard.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <variant>

#include "eddy/error_code.h"
#include "group/consumer_group_manager.h"
#include "group/group_manager.h"
#include "group/offsets.h"
#include "group/records.h"
#include "group/shard_context.h"

namespace eddy::group {

struct coordinator_shard::state {
    explicit state(coordinator_config config)
        : ctx(config), groups(ctx), consumers(ctx, groups), offsets(ctx, groups, consumers) {
        // The shard's own records go through replay, like records read back at load time.
        ctx.apply = [this](const coordinator_record& r) {
            std::optional<std::span<const uint8_t>> value;
            if (r.value) value = std::span<const uint8_t>(*r.value);
            // We wrote bytes we cannot read.
            if (!replay(r.key, value, r.producer_id)) std::abort();
        };
    }

    bool replay(std::span<const uint8_t> key, std::optional<std::span<const uint8_t>> value,
                int64_t producer_id) {
        auto decoded = decode_record(key, value);
        if (!decoded) return false;
        if (auto* offset = std::get_if<offset_commit_event>(&*decoded)) {
            offsets.replay(std::move(*offset), producer_id);
        } else if (auto* group = std::get_if<group_metadata_event>(&*decoded)) {
            groups.replay(std::move(*group));
        } else if (auto* consumer = std::get_if<consumer_group_event>(&*decoded)) {
            consumers.replay(std::move(*consumer));
        }
        return true;
    }

    // Starts handling a call made at now_ms.
    void begin(int64_t now_ms) {
        ctx.now_ms = now_ms;
        // The expiry cycle starts at loaded(); a shard used without it starts it here.
        if (!unloaded && !ctx.timers.contains(expiry_key)) schedule_expiry();
    }
    // Ends it: the replies it produced are made.
    void end() { ctx.flush_replies(); }

    void schedule_expiry() {
        ctx.timers.schedule(expiry_key, ctx.now_ms + ctx.config.offsets_retention_check_interval_ms,
                            [this] { cleanup_group_metadata(); });
    }

    // Kafka's cleanupGroupMetadata: expire offsets, then delete Empty groups left with none.
    void cleanup_group_metadata() {
        std::vector<std::string> ids;
        for (const auto& [id, _] : groups.groups()) ids.push_back(id);
        for (const auto& id : ids) {
            if (!offsets.cleanup_expired(id)) continue;
            const classic_group* group = groups.find(id);
            if (group && group->is(group_state::empty)) {
                ctx.append(group_metadata_tombstone(id), true);
            }
        }
        ids.clear();
        for (const auto& [id, _] : consumers.groups()) ids.push_back(id);
        for (const auto& id : ids) {
            if (!offsets.cleanup_expired(id)) continue;
            const consumer_group* group = consumers.find(id);
            if (group && group->is_empty()) consumers.delete_group(id);
        }
        schedule_expiry();
    }

    static inline const timer_key expiry_key{timer_kind::offset_expiry, {}, {}};

    shard_context ctx;
    group_manager groups;
    consumer_group_manager consumers;
    offset_manager offsets;
    bool unloaded = false;
};

coordinator_shard::coordinator_shard(coordinator_config config)
    : state_(std::make_unique<state>(config)) {}

coordinator_shard::~coordinator_shard() = default;

bool coordinator_shard::replay(std::span<const uint8_t> key,
                               std::optional<std::span<const uint8_t>> value, int64_t producer_id) {
    return state_->replay(key, value, producer_id);
}

void coordinator_shard::replay_end_transaction(int64_t producer_id, bool commit) {
    state_->offsets.replay_end_transaction(producer_id, commit);
}

void coordinator_shard::loaded(int64_t now_ms) {
    state_->ctx.now_ms = now_ms;
    state_->schedule_expiry();
    state_->groups.on_loaded();
    state_->consumers.on_loaded();
    state_->end();
}

std::vector<coordinator_record> coordinator_shard::take_records() {
    std::vector<coordinator_record> out;
    out.swap(state_->ctx.records);
    return out;
}

void coordinator_shard::join_group(msg::join_group_request request, int16_t version,
                                   client_identity client, int64_t now_ms,
                                   reply<msg::join_group_response> done) {
    state_->begin(now_ms);
    if (const consumer_group* cg = state_->consumers.find(request.group_id)) {
        if (!cg->is_empty()) {
            // Kafka 3.9 would take the member into the consumer group through the classic
            // protocol; Eddy has no classic members in consumer groups (README.md), and
            // answers as Kafka does for protocols the group cannot take.
            msg::join_group_response r;
            r.member_id = request.member_id;
            r.error_code = static_cast<int16_t>(error_code::inconsistent_group_protocol);
            post(state_->ctx.replies, std::move(done), std::move(r));
            state_->end();
            return;
        }
        // An Empty consumer group makes way for the classic group; its offsets stay.
        state_->consumers.delete_group(request.group_id);
    }
    state_->groups.join(std::move(request), version, client, std::move(done));
    state_->end();
}

void coordinator_shard::sync_group(msg::sync_group_request request, int16_t version,
                                   int64_t now_ms, reply<msg::sync_group_response> done) {
    state_->begin(now_ms);
    state_->groups.sync(std::move(request), version, std::move(done));
    state_->end();
}

msg::heartbeat_response coordinator_shard::heartbeat(const msg::heartbeat_request& request,
                                                     int16_t /*version*/, int64_t now_ms) {
    state_->begin(now_ms);
    auto response = state_->groups.heartbeat(request);
    state_->end();
    return response;
}

msg::leave_group_response coordinator_shard::leave_group(const msg::leave_group_request& request,
                                                         int16_t version, int64_t now_ms) {
    state_->begin(now_ms);
    auto response = state_->groups.leave(request, version);
    state_->end();
    return response;
}

msg::consumer_group_heartbeat_response coordinator_shard::consumer_group_heartbeat(
    const msg::consumer_group_heartbeat_request& request, int16_t /*version*/,
    const client_identity& client, const topic_view& topics, int64_t now_ms) {
    state_->begin(now_ms);
    auto response = state_->consumers.heartbeat(request, client, topics);
    state_->end();
    return response;
}

msg::consumer_group_describe_response::described_group coordinator_shard::consumer_group_describe(
    const std::string& group_id, int16_t /*version*/, const topic_view& topics) {
    return state_->consumers.describe(group_id, topics);
}

msg::offset_commit_response coordinator_shard::offset_commit(
    const msg::offset_commit_request& request, int16_t version, int64_t now_ms) {
    state_->begin(now_ms);
    auto response = state_->offsets.commit(request, version);
    state_->end();
    return response;
}

msg::txn_offset_commit_response coordinator_shard::txn_offset_commit(
    const msg::txn_offset_commit_request& request, int16_t version, int64_t now_ms) {
    state_->begin(now_ms);
    auto response = state_->offsets.commit_transactional(request, version);
    state_->end();
    return response;
}

msg::offset_fetch_response::offset_fetch_response_group coordinator_shard::offset_fetch(
    const msg::offset_fetch_request::offset_fetch_request_group& group, int16_t /*version*/,
    bool require_stable) {
    return state_->offsets.fetch(group, require_stable);
}

msg::offset_delete_response coordinator_shard::offset_delete(
    const msg::offset_delete_request& request, int16_t /*version*/, int64_t now_ms) {
    state_->begin(now_ms);
    auto response = state_->offsets.delete_offsets(request);
    state_->end();
    return response;
}

msg::describe_groups_response::described_group coordinator_shard::describe_group(
    const std::string& group_id, int16_t /*version*/) {
    return state_->groups.describe(group_id);
}

std::vector<msg::list_groups_response::listed_group> coordinator_shard::list_groups(
    std::span<const std::string> states_filter, std::span<const std::string> types_filter,
    int16_t /*version*/) {
    auto out = state_->groups.list(states_filter, types_filter);
    auto consumers = state_->consumers.list(states_filter, types_filter);
    out.insert(out.end(), std::make_move_iterator(consumers.begin()),
               std::make_move_iterator(consumers.end()));
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
    return out;
}

int16_t coordinator_shard::delete_group(const std::string& group_id, int64_t now_ms) {
    state_->begin(now_ms);
    if (state_->consumers.find(group_id)) {
        // Kafka's ConsumerGroup.validateDeleteGroup: only an Empty group goes.
        if (!state_->consumers.find(group_id)->is_empty()) {
            state_->end();
            return static_cast<int16_t>(error_code::non_empty_group);
        }
        state_->offsets.delete_all(group_id);
        state_->consumers.delete_group(group_id);
        state_->end();
        return 0;
    }
    const int16_t error = state_->groups.validate_delete(group_id);
    if (error == 0) {
        state_->offsets.delete_all(group_id);
        state_->ctx.append(group_metadata_tombstone(group_id), true);
    }
    state_->end();
    return error;
}

void coordinator_shard::partitions_deleted(const partitions_by_topic& deleted, int64_t now_ms) {
    state_->begin(now_ms);
    state_->offsets.delete_partitions(deleted);
    state_->end();
}

std::optional<int64_t> coordinator_shard::next_deadline() const {
    return state_->ctx.timers.next_deadline();
}

void coordinator_shard::on_timer(int64_t now_ms) {
    state_->begin(now_ms);
    while (auto task = state_->ctx.timers.pop_due(now_ms)) (*task)();
    state_->end();
}

void coordinator_shard::unload() {
    state_->unloaded = true;
    state_->groups.on_unloaded();
    state_->ctx.timers.clear();
    state_->end();
}

}  // namespace eddy::group
