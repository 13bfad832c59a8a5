// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/produce.h"

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "broker/handlers/repeated_partitions.h"
#include "broker/txn_verification.h"
#include "common/wall_clock.h"
#include "controller/topic_names.h"
#include "record/batch.h"
#include "record/legacy_message_set.h"
#include "record/validate.h"

namespace eddy::broker {
namespace {

using partition_response = msg::produce_response::partition_produce_response;

partition_response error_response(int32_t index, error_code e) {
    partition_response r;
    r.index = index;
    r.error_code = wire_code(e);
    r.base_offset = -1;
    r.log_append_time_ms = -1;
    r.log_start_offset = -1;
    return r;
}

// Kafka's RequestUtils.hasTransactionalRecords: the first batch of some partition is
// transactional.
bool has_transactional_records(const msg::produce_request& req) {
    for (const auto& topic : req.topic_data)
        for (const auto& part : topic.partition_data) {
            if (part.records.null || part.records.size < record::batch_header_size) continue;
            // Legacy messages (Produce v0-v2) have their magic byte at the same place and
            // carry no transactional bit.
            if (part.records.data[record::field::magic] != record::current_magic) continue;
            if (record::batch_view(part.records.data, part.records.size).is_transactional())
                return true;
        }
    return false;
}

// Kafka's KafkaApis gathers a request's partitions in a map, so of a partition named
// twice only the last mention is appended and answered. Returns, per mention in request
// order, whether a later one replaces it (empty when no partition repeats).
std::vector<bool> replaced_mentions(const msg::produce_request& req) {
    size_t count = 0;
    for (const auto& topic : req.topic_data) count += topic.partition_data.size();
    if (count < 2) return {};  // the common request: no work, no allocation
    std::vector<partition_key> mentions;
    mentions.reserve(count);
    for (const auto& topic : req.topic_data)
        for (const auto& part : topic.partition_data) mentions.emplace_back(topic.name, part.index);
    const repeated_partitions repeats = find_repeated_partitions(mentions);
    if (repeats.none()) return {};
    std::vector<bool> replaced(count);
    for (size_t i = 0; i < count; ++i) replaced[i] = repeats.last[i] != i;
    return replaced;
}

// Produce v0-v2 carry magic 0/1 message sets; Kafka (log format v2) rewrites them as one
// magic-2 batch (LogValidator's conversion), which then takes the v3+ path here too. A
// magic-2 batch in an old request is taken as it is, as Kafka does. Runs on the
// partition's executor: the limits are the topic's.
cluster::produce_outcome append_legacy(cluster::partition& p, std::span<uint8_t> records,
                                       int16_t version, int16_t acks, int64_t now) {
    const bool v2_batch = records.size() > record::field::magic &&
                          records[record::field::magic] == record::current_magic;
    if (p.get_log() == nullptr || v2_batch) return p.append(records, version, acks, now);
    record::legacy_options opts;
    opts.max_message_bytes = p.settings().max_message_bytes;
    record::byte_buffer scratch;
    record::legacy_conversion c =
        record::convert_legacy_message_set(records.data(), records.size(), opts, scratch);
    if (c.ok() && !c.batch.empty()) return p.append(c.batch, version, acks, now);
    // An error, or no complete message: Kafka appends nothing and, for the latter, answers
    // with no error and offset -1.
    cluster::produce_outcome out = p.failed_append(c.error);
    if (!c.record_errors.empty()) out.error_message = std::move(c.error_message);
    out.record_errors = std::move(c.record_errors);
    return out;
}

// Appends batches[i] to targets[i], each partition on its own strand: right here when the
// strand is idle and the append will not fsync, else on the pool, all at the same time.
// `guards`, when given, are the partitions' KIP-890 verification guards. Await the result
// as a named variable: GCC 12 destroys temporaries of a co_await expression (here the
// vectors and the lambdas) while the hop still uses them.
auto append_each(std::vector<std::shared_ptr<cluster::partition>> targets,
                 std::vector<std::span<uint8_t>> batches, std::vector<uint64_t> guards,
                 int16_t version, int16_t acks, int64_t now) {
    std::vector<size_t> sizes;
    sizes.reserve(batches.size());
    for (const auto& b : batches) sizes.push_back(b.size());
    return cluster::replica_manager::on_each_here(
        std::move(targets),
        [batches = std::move(batches), guards = std::move(guards), version, acks,
         now](cluster::partition& p, size_t i) {
            if (version <= 2) return append_legacy(p, batches[i], version, acks, now);
            return p.append(batches[i], version, acks, now, guards.empty() ? 0 : guards[i]);
        },
        [sizes = std::move(sizes), now](const cluster::partition& p, size_t i) {
            return p.append_may_sync(sizes[i], now);
        });
}

// KIP-890: the one producer (id, epoch) of a transactional request's transactional
// batches, none when it has none; `several` when they name more than one, which Kafka
// refuses as a whole (InvalidPidMappingException).
struct txn_producer {
    std::optional<std::pair<int64_t, int16_t>> id;
    bool several = false;
};

txn_producer transactional_producer(std::span<const std::span<uint8_t>> batches) {
    txn_producer out;
    for (const auto& b : batches) {
        if (b.size() < record::batch_header_size || b[record::field::magic] != record::current_magic)
            continue;
        const record::batch_view v(b.data(), b.size());
        if (!v.is_transactional() || !v.has_producer_id()) continue;
        const std::pair<int64_t, int16_t> id{v.producer_id(), v.producer_epoch()};
        if (out.id && *out.id != id) out.several = true;
        out.id = id;
    }
    return out;
}

cluster::produce_outcome refused(produce_verification_error e) {
    cluster::produce_outcome out;
    out.error = e.error;
    out.error_message = std::move(e.message);
    return out;
}

// The partitions whose transactional batch waits for the coordinator's confirmation
// (KIP-890): asks it, appends again with their guards those it confirmed, and answers the
// others with the error Kafka gives.
asio::awaitable<void> verify_and_append(request_context& ctx, const std::string& transactional_id,
                                        std::pair<int64_t, int16_t> producer,
                                        const std::vector<std::shared_ptr<cluster::partition>>& targets,
                                        const std::vector<std::span<uint8_t>>& batches,
                                        std::vector<cluster::produce_outcome>& outcomes, int16_t acks) {
    std::vector<size_t> waiting;
    std::set<txn::topic_partition> partitions;
    for (size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i].verification_guard == 0) continue;
        waiting.push_back(i);
        partitions.insert({targets[i]->topic(), targets[i]->index()});
    }
    if (waiting.empty()) co_return;
    auto verify = verify_produce(ctx, transactional_id, producer.first, producer.second, partitions);
    std::map<txn::topic_partition, produce_verification_error> verdicts = co_await std::move(verify);

    std::vector<std::shared_ptr<cluster::partition>> again;
    std::vector<size_t> slots;
    std::vector<std::span<uint8_t>> again_batches;
    std::vector<uint64_t> guards;
    for (size_t i : waiting) {
        produce_verification_error& v = verdicts[{targets[i]->topic(), targets[i]->index()}];
        if (v.error != error_code::none) {
            outcomes[i] = refused(std::move(v));
            continue;
        }
        again.push_back(targets[i]);
        slots.push_back(i);
        again_batches.push_back(batches[i]);
        guards.push_back(outcomes[i].verification_guard);
    }
    if (again.empty()) co_return;
    auto hop = append_each(std::move(again), std::move(again_batches), std::move(guards),
                           ctx.api_version, acks, wall_clock_ms());
    std::vector<cluster::produce_outcome> appended = co_await std::move(hop);
    for (size_t k = 0; k < appended.size(); ++k) outcomes[slots[k]] = std::move(appended[k]);
}

}  // namespace

routed_reply::action produce_handler::reply_action(const request& req, const response& resp) {
    if (req.acks != 0) return routed_reply::action::send;
    for (const auto& t : resp.responses)
        for (const auto& p : t.partition_responses)
            if (p.error_code != 0) return routed_reply::action::close;
    return routed_reply::action::none;
}

// GCC 12 reports the coroutine frames here (awaitable_frame_base's own operator new and
// delete) as freed by a delete that does not match their allocation: the false positive
// fetch.cc silences too, which appeared here with the verification's second coroutine.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<produce_handler::response> produce_handler::handle(
    cluster::replica_manager& replicas, request_context& ctx, request&& req) {
    response resp;
    const bool bad_acks = req.acks != 0 && req.acks != 1 && req.acks != -1;
    // Transactional records need the transactional id they are written for; Kafka answers
    // the whole request with this error before looking at any partition.
    const bool missing_txn_id = !req.transactional_id && has_transactional_records(req);
    // The partitions to append to, and where each one's answer goes.
    std::vector<std::shared_ptr<cluster::partition>> targets;
    std::vector<std::span<uint8_t>> batches;
    std::vector<std::pair<size_t, size_t>> slots;  // (topic, partition) in the response
    const std::vector<bool> replaced = replaced_mentions(req);
    size_t mention = 0;
    // Kafka's ProduceResponse holds each topic once, whatever the request repeats.
    std::unordered_map<std::string_view, size_t> topic_slots;
    if (req.topic_data.size() > 1) topic_slots.reserve(req.topic_data.size());
    for (auto& topic : req.topic_data) {
        size_t topic_slot = resp.responses.size();
        if (req.topic_data.size() > 1)
            topic_slot = topic_slots.try_emplace(topic.name, topic_slot).first->second;
        if (topic_slot == resp.responses.size()) resp.responses.emplace_back().name = topic.name;
        auto& out = resp.responses[topic_slot];
        for (auto& part : topic.partition_data) {
            if (!replaced.empty() && replaced[mention++]) continue;
            if (missing_txn_id) {
                out.partition_responses.push_back(
                    error_response(part.index, error_code::transactional_id_authorization_failed));
                continue;
            }
            // Kafka's order: KafkaApis answers a partition it does not know before
            // ReplicaManager looks at acks, and only then at the partition's leader.
            auto found = replicas.lookup(topic.name, part.index);
            if (!found.p && found.error == error_code::unknown_topic_or_partition) {
                out.partition_responses.push_back(error_response(part.index, found.error));
                continue;
            }
            // Then KafkaApis checks the record set's shape (ProduceRequest.validateRecords,
            // v3+): one magic-2 batch, no zstd below v7.
            size_t records_size = 0;
            if (!part.records.null) records_size = part.records.size;
            if (ctx.api_version >= 3) {
                record::produce_validation shape =
                    record::validate_produce_request_records(part.records.data, records_size, ctx.api_version);
                if (!shape.ok()) {
                    out.partition_responses.push_back(error_response(part.index, shape.error));
                    continue;
                }
            }
            if (bad_acks) {
                out.partition_responses.push_back(error_response(part.index, error_code::invalid_required_acks));
                continue;
            }
            // Kafka's ReplicaManager: only its own admin client may append to an internal
            // topic; the coordinators write there, clients never.
            if (controller::is_internal_topic(topic.name) && ctx.client_id != "__admin_client") {
                out.partition_responses.push_back(error_response(part.index, error_code::invalid_topic_exception));
                continue;
            }
            if (!found.p) {
                out.partition_responses.push_back(error_response(part.index, found.error));
                continue;
            }
            // The decoded view points into the request frame, which this request owns;
            // the log rewrites offsets and epochs there before appending (no copy).
            batches.emplace_back(const_cast<uint8_t*>(part.records.data), records_size);
            targets.push_back(std::move(found.p));
            slots.emplace_back(topic_slot, out.partition_responses.size());
            out.partition_responses.emplace_back().index = part.index;
        }
    }
    // Kafka's response lists only the topics it answers a partition of.
    auto drop_unanswered = [](response& r) {
        std::erase_if(r.responses, [](const auto& t) { return t.partition_responses.empty(); });
    };
    if (targets.empty()) {
        drop_unanswered(resp);
        co_return resp;
    }

    // KIP-890: a transactional request's batches are one producer's; the partitions where
    // that producer's transaction is not yet open are verified with the coordinator.
    txn_producer producer;
    std::vector<std::shared_ptr<cluster::partition>> txn_targets;
    std::vector<std::span<uint8_t>> txn_batches;
    if (req.transactional_id) {
        producer = transactional_producer(batches);
        if (producer.several) {
            // Kafka fails the whole request: every partition gets the error.
            for (auto& t : resp.responses)
                for (auto& p : t.partition_responses)
                    p = error_response(p.index, error_code::invalid_producer_id_mapping);
            drop_unanswered(resp);
            co_return resp;
        }
        if (producer.id) {
            txn_targets = targets;
            txn_batches = batches;
        }
    }

    const int16_t acks = req.acks;
    auto hop = append_each(std::move(targets), std::move(batches), {}, ctx.api_version, acks,
                           wall_clock_ms());
    std::vector<cluster::produce_outcome> outcomes = co_await std::move(hop);
    if (producer.id) {
        auto verified = verify_and_append(ctx, *req.transactional_id, *producer.id, txn_targets,
                                          txn_batches, outcomes, acks);
        co_await std::move(verified);
    }
    for (size_t i = 0; i < outcomes.size(); ++i) {
        cluster::produce_outcome& r = outcomes[i];
        partition_response& pr = resp.responses[slots[i].first].partition_responses[slots[i].second];
        pr.error_code = wire_code(r.error);
        pr.base_offset = r.base_offset;
        pr.log_append_time_ms = r.log_append_time;
        pr.log_start_offset = r.log_start_offset;
        for (auto& e : r.record_errors)
            pr.record_errors.push_back({.batch_index = e.batch_index,
                                        .batch_index_error_message = std::move(e.message),
                                        .unknown_tagged_fields = {}});
        if (r.error != error_code::none && !r.error_message.empty())
            pr.error_message = std::move(r.error_message);
    }
    drop_unanswered(resp);
    co_return resp;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace eddy::broker
