// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/fetch.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "broker/handlers/repeated_partitions.h"
#include "cluster/fetch_waiter.h"

namespace eddy::broker {
namespace {

using partition_data = msg::fetch_response::partition_data;

// One requested partition and what the last read of it found.
struct fetch_target {
    size_t topic = 0;  // index into the request's topics
    std::shared_ptr<cluster::partition> p;
    error_code lookup_error = error_code::none;
    int32_t index = 0;
    int32_t current_leader_epoch = -1;
    int32_t last_fetched_epoch = -1;  // Fetch v12+
    int64_t fetch_offset = 0;
    int32_t partition_max_bytes = 0;
    bool read_committed = false;  // isolation_level 1: read below the last stable offset
    cluster::read_outcome read;
    bool zstd_topic = false;  // compression.type=zstd, as of the last read

    // Kafka's KafkaApis answers a partition missing from its metadata before any read,
    // and lists it after the partitions it read.
    bool unknown() const {
        return !p && (lookup_error == error_code::unknown_topic_or_partition ||
                      lookup_error == error_code::unknown_topic_id);
    }
};

struct pass_result {
    uint64_t bytes = 0;
    // Kafka answers at once, whatever min_bytes asks: a read failed, nothing can be read, or
    // a partition is read from behind its bound's segment (read_outcome::answer_at_once).
    bool answer_now = false;
};

// What one partition's hop brings back.
struct hop_read {
    cluster::read_outcome read;
    bool zstd_topic = false;
    bool no_wait = false;  // the partition took no waiter: the broker is stopping
};

// A read lists file ranges of the page cache; it never waits on an fsync.
bool reads_never_block(const cluster::partition&, size_t) { return false; }

// On the partition's strand. With a live waiter, registers it in the same hop as the
// read, so an append after the read cannot be missed.
hop_read read_one(cluster::partition& p, const fetch_target& t, uint32_t size, bool min_one,
                  const std::weak_ptr<cluster::fetch_waiter>& waiter) {
    hop_read out;
    if (!waiter.expired()) out.no_wait = !p.add_waiter(waiter);
    out.zstd_topic = p.settings().compression == record::compression::zstd;
    // Fetch alone reads every negative epoch as not given (FetchRequest.optionalEpoch).
    const int32_t epoch = t.current_leader_epoch < 0 ? -1 : t.current_leader_epoch;
    if (error_code e = p.check_epoch(epoch); e != error_code::none) {
        out.read.error = e;
        return out;
    }
    out.read = p.read(t.fetch_offset, size, min_one, t.read_committed, t.last_fetched_epoch);
    return out;
}

// Reads every partition with Kafka's byte limits: in request order, each partition up
// to min(partition_max_bytes, what remains of max_bytes), and the first batch found is
// returned whole even when larger (until some partition has returned data).
// All partitions are read at once, each as if it came first (a read lists file ranges,
// it copies nothing); the limits are then applied in order. A read that fits its
// in-order limit is what the in-order read would have found; one that does not is
// emptied when nothing remains, else read again with its exact limit (at most a few per
// pass: only where max_bytes runs out).
// `waiter` is a plain pointer: the caller owns it for the whole call (GCC 12 miscounts
// a shared_ptr passed by value into a coroutine in this position).
asio::awaitable<pass_result> read_all(std::vector<fetch_target>& targets, int32_t max_bytes,
                                      cluster::fetch_waiter* waiter) {
    pass_result pass;
    const int64_t budget = std::max(max_bytes, 0);
    std::vector<std::shared_ptr<cluster::partition>> partitions;
    std::vector<fetch_target*> reading;
    for (fetch_target& t : targets) {
        if (!t.p) {
            // Partitions missing from the metadata do not end the long poll of the
            // others; a partition led elsewhere does.
            if (!t.unknown()) pass.answer_now = true;
            continue;
        }
        partitions.push_back(t.p);
        reading.push_back(&t);
    }
    if (reading.empty()) {
        pass.answer_now = true;  // nothing to wait on
        co_return pass;
    }
    std::weak_ptr<cluster::fetch_waiter> w;
    if (waiter != nullptr) w = waiter->weak_from_this();
    // Plain statements only around co_await here: GCC 12 miscompiles conditional
    // expressions in some coroutine positions, and destroys the temporaries of a
    // co_await expression (the vectors, the lambda) while the hop still uses them, so
    // each hop is built first.
    auto hop = cluster::replica_manager::on_each_here(
        std::move(partitions),
        [reading, budget, w](cluster::partition& p, size_t i) {
            const fetch_target& t = *reading[i];
            auto size = static_cast<uint32_t>(std::clamp<int64_t>(t.partition_max_bytes, 0, budget));
            return read_one(p, t, size, true, w);
        },
        reads_never_block);
    std::vector<hop_read> first = co_await std::move(hop);

    // Signed, as in Kafka's ReplicaManager: a negative max_bytes is the first partition's
    // limit; after each partition the limit is what remains, at least 0.
    int64_t limit = max_bytes;
    bool min_one = true;
    for (size_t i = 0; i < reading.size(); ++i) {
        fetch_target& t = *reading[i];
        const int64_t in_order = std::min<int64_t>(t.partition_max_bytes, limit);
        const auto size = static_cast<uint32_t>(std::max<int64_t>(in_order, 0));
        t.zstd_topic = first[i].zstd_topic;
        t.read = std::move(first[i].read);
        if (first[i].no_wait) pass.answer_now = true;
        if (in_order < 0 && t.read.error == error_code::none && t.read.bytes > 0) {
            // Kafka's LogSegment.read refuses a negative size once there is something to
            // read (below the high watermark or last stable offset), and the partition
            // fails with UNKNOWN_SERVER_ERROR; at that bound it answers empty.
            t.read = cluster::read_outcome{};
            t.read.error = error_code::unknown_server_error;
        } else if (!min_one && t.read.error == error_code::none && t.read.bytes > size) {
            // Until some partition has returned data, the in-order limits are the ones read with.
            if (size == 0) {
                // What a read with no room finds: the offsets, no records, and so no
                // aborted transactions either.
                t.read.slices.clear();
                t.read.aborted_transactions.clear();
                t.read.bytes = 0;
            } else {
                std::weak_ptr<cluster::fetch_waiter> none;
                auto again = cluster::replica_manager::on(
                    t.p, [&t, size, min_one, none](cluster::partition& p) {
                        return read_one(p, t, size, min_one, none);
                    });
                hop_read exact = co_await std::move(again);
                t.zstd_topic = exact.zstd_topic;
                t.read = std::move(exact.read);
            }
        }
        // Kafka's ReplicaManager answers a diverging partition at once, as it does an error.
        if (t.read.error != error_code::none || t.read.diverges() || t.read.answer_at_once)
            pass.answer_now = true;
        limit = std::max<int64_t>(0, limit - static_cast<int64_t>(t.read.bytes));
        if (t.read.bytes > 0) min_one = false;
        pass.bytes += t.read.bytes;
    }
    co_return pass;
}

// Kafka's FetchManager rules for a broker that keeps no sessions: a full request
// (epoch 0 or -1) is served sessionless and answered with session id 0; an
// incremental one names a session that does not exist.
error_code check_session(const fetch_handler::request& req, int16_t version) {
    if (version < 7) return error_code::none;
    if (req.session_epoch == 0 || req.session_epoch == -1) return error_code::none;
    return error_code::fetch_session_id_not_found;
}

// Kafka's FetchRequest.fetchData is a LinkedHashMap keyed by topic (its id from v13, its
// name before) and partition: a partition named twice is read once, at the place of its
// first mention, with the fields of its last.
void merge_repeats(std::vector<fetch_target>& targets, const fetch_handler::request& req,
                   bool by_id) {
    std::vector<partition_key> mentions;
    mentions.reserve(targets.size());
    for (const fetch_target& t : targets) {
        const auto& topic = req.topics[t.topic];
        const std::string_view id(reinterpret_cast<const char*>(topic.topic_id.bytes.data()),
                                  topic.topic_id.bytes.size());
        mentions.emplace_back(by_id ? id : std::string_view(topic.topic), t.index);
    }
    const repeated_partitions repeats = find_repeated_partitions(mentions);
    if (repeats.none()) return;
    std::vector<fetch_target> merged;
    for (size_t i = 0; i < targets.size(); ++i)
        if (repeats.first[i] == i) merged.push_back(std::move(targets[repeats.last[i]]));
    targets = std::move(merged);
}

// Kafka's FetchRequest.getErrorResponse, for a request that failed as a whole: the error
// at the top and, below v13, on every partition as asked (each offset -1, records null).
fetch_result failed_request(const fetch_handler::request& req, int16_t version, error_code e) {
    fetch_result out;
    out.response.error_code = wire_code(e);
    out.response.session_id = req.session_id;
    if (version >= 13) return out;
    for (const auto& topic : req.topics) {
        auto& rt = out.response.responses.emplace_back();
        rt.topic = topic.topic;
        rt.topic_id = topic.topic_id;
        for (const auto& part : topic.partitions) {
            partition_data pd;
            pd.partition_index = part.partition;
            pd.error_code = wire_code(e);
            pd.high_watermark = -1;
            pd.last_stable_offset = -1;
            pd.log_start_offset = -1;
            pd.aborted_transactions.reset();
            pd.records = codec::bytes_view{nullptr, 0, true};
            rt.partitions.push_back(std::move(pd));
            out.records.emplace_back();
        }
    }
    return out;
}

// The response entry of one partition after its reads.
partition_data answer_for(const fetch_target& t, int16_t version) {
    partition_data pd;
    pd.partition_index = t.index;
    pd.records = codec::bytes_view{nullptr, 0, false};
    error_code e = t.lookup_error;
    if (t.p) e = t.read.error;
    // Kafka's KafkaApis: a consumer below Fetch v10 cannot read zstd, so a partition of
    // a zstd topic is answered with this error instead of its records.
    if (t.p && t.zstd_topic && version < 10) e = error_code::unsupported_compression_type;
    // KAFKA_STORAGE_ERROR came with Fetch v6; KafkaApis sends older consumers
    // NOT_LEADER_OR_FOLLOWER instead, which they retry after a metadata refresh.
    if (e == error_code::kafka_storage_error && version <= 5) e = error_code::not_leader_or_follower;
    // Kafka's AbortedTransactions: a list (maybe empty, also for an empty read) for a
    // read_committed read that worked; null for read_uncommitted and for an error.
    pd.aborted_transactions.reset();
    if (t.read_committed && e == error_code::none) {
        auto& aborted = pd.aborted_transactions.emplace();
        for (const log::aborted_txn& a : t.read.aborted_transactions)
            aborted.push_back({.producer_id = a.producer_id, .first_offset = a.first_offset,
                               .unknown_tagged_fields = {}});
    }
    pd.error_code = wire_code(e);
    if (e == error_code::none) {
        pd.high_watermark = t.read.high_watermark;
        pd.last_stable_offset = t.read.last_stable_offset;
        pd.log_start_offset = t.read.log_start_offset;
        if (t.read.diverges()) {
            pd.diverging_epoch.epoch = t.read.diverging_epoch;
            pd.diverging_epoch.end_offset = t.read.diverging_end_offset;
        }
    } else {
        // Kafka's LogReadResult for a failed read: every offset unknown.
        pd.high_watermark = -1;
        pd.last_stable_offset = -1;
        pd.log_start_offset = -1;
    }
    return pd;
}

}  // namespace

// GCC 12 reports the coroutine frames here (awaitable_frame_base's own operator new and
// delete) as freed by a delete that does not match their allocation; a false positive of
// its inliner that comes and goes with unrelated changes to read_all().
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<fetch_result> fetch_handler::handle(cluster::replica_manager& replicas,
                                                    request_context& ctx, request&& req) {
    fetch_result out;
    out.response.session_id = 0;
    if (error_code e = check_session(req, ctx.api_version); e != error_code::none) {
        out.response.error_code = wire_code(e);
        co_return out;
    }
    const bool by_id = ctx.api_version >= 13;
    std::vector<fetch_target> targets;
    for (size_t ti = 0; ti < req.topics.size(); ++ti) {
        const auto& topic = req.topics[ti];
        for (const auto& part : topic.partitions) {
            fetch_target t;
            t.topic = ti;
            cluster::replica_manager::lookup_result found;
            if (by_id) found = replicas.lookup(topic.topic_id, part.partition);
            else found = replicas.lookup(topic.topic, part.partition);
            t.p = std::move(found.p);
            t.lookup_error = found.error;
            t.index = part.partition;
            t.current_leader_epoch = part.current_leader_epoch;
            if (ctx.api_version >= 12) t.last_fetched_epoch = part.last_fetched_epoch;
            t.fetch_offset = part.fetch_offset;
            t.partition_max_bytes = part.partition_max_bytes;
            t.read_committed = req.isolation_level == 1;
            targets.push_back(std::move(t));
        }
    }
    merge_repeats(targets, req, by_id);
    // Kafka reads the isolation level only when some partition is to be read, and fails
    // the whole request on one it does not know (IsolationLevel.forId).
    const bool any_read = std::any_of(targets.begin(), targets.end(),
                                      [](const fetch_target& t) { return !t.unknown(); });
    if (any_read && req.isolation_level != 0 && req.isolation_level != 1)
        co_return failed_request(req, ctx.api_version, error_code::unknown_server_error);
    // What the response names each topic by, kept past the awaits below.
    std::vector<std::pair<std::string, codec::uuid>> topic_names;
    for (const auto& topic : req.topics) topic_names.emplace_back(topic.topic, topic.topic_id);

    // Long poll: answer at once when there is enough data, an error, or no wait asked;
    // otherwise park until an append to one of the partitions or max_wait_ms.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(req.max_wait_ms, 0));
    const asio::any_io_executor executor = co_await asio::this_coro::executor;
    // Kafka's bounds: max_bytes at most fetch.max.bytes, and min_bytes at most that, so a
    // min_bytes no answer can reach does not hold every fetch for max_wait_ms.
    const int32_t max_bytes = std::min(req.max_bytes, ctx.broker->fetch_max_bytes);
    const int64_t min_bytes = std::min(req.min_bytes, max_bytes);
    pass_result pass = co_await read_all(targets, max_bytes, nullptr);
    while (!pass.answer_now && static_cast<int64_t>(pass.bytes) < min_bytes &&
           std::chrono::steady_clock::now() < deadline) {
        auto waiter = std::make_shared<cluster::fetch_waiter>(executor);
        pass = co_await read_all(targets, max_bytes, waiter.get());
        if (pass.answer_now || static_cast<int64_t>(pass.bytes) >= min_bytes) break;
        co_await waiter->wait_until(deadline);
        pass = co_await read_all(targets, max_bytes, nullptr);
    }

    // Kafka's order: the partitions read, then those missing from the metadata; a topic
    // entry gathers the partitions that follow each other (FetchResponse.toMessage), so
    // a topic can appear twice.
    std::stable_partition(targets.begin(), targets.end(),
                          [](const fetch_target& t) { return !t.unknown(); });
    for (fetch_target& t : targets) {
        const auto& [name, id] = topic_names[t.topic];
        auto& responses = out.response.responses;
        const bool same_topic = !responses.empty() && (by_id ? responses.back().topic_id == id
                                                             : responses.back().topic == name);
        if (!same_topic) {
            auto& rt = responses.emplace_back();
            rt.topic = name;
            rt.topic_id = id;
        }
        partition_data pd = answer_for(t, ctx.api_version);
        out.records.emplace_back();
        if (pd.error_code == 0) out.records.back() = std::move(t.read.slices);
        responses.back().partitions.push_back(std::move(pd));
    }
    co_return out;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace eddy::broker
