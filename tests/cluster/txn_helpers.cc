// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "txn_helpers.h"

#include <thread>

#include "batch_builder.h"

namespace eddy::cluster::test {

std::vector<uint8_t> txn_batch(int64_t pid, int16_t epoch, int32_t base_sequence, int records,
                               int64_t base_timestamp) {
    if (base_timestamp < 0) base_timestamp = now_ms();
    return record::test::producer_batch(pid, epoch, base_sequence, records, base_timestamp, true);
}

int16_t produce_txn(cluster_fixture& f, const std::string& topic, int32_t partition,
                    std::vector<uint8_t> batch, std::optional<std::string> transactional_id) {
    msg::produce_response resp =
        f.produce(topic, partition, std::move(batch), -1, 11, std::move(transactional_id));
    return resp.responses.at(0).partition_responses.at(0).error_code;
}

error_code write_marker(cluster_fixture& f, const std::string& topic, int32_t partition,
                        const record::txn_marker& marker) {
    auto p = f.replicas().find(topic, partition);
    if (!p) return error_code::unknown_topic_or_partition;
    return cluster_fixture::run([&]() -> asio::awaitable<error_code> {
        auto hop = replica_manager::on(p, [marker](cluster::partition& part) { return part.write_marker(marker, now_ms()); });
        co_return co_await std::move(hop);
    }());
}

record::txn_marker marker_for(int64_t pid, int16_t epoch, bool commit, int32_t coordinator_epoch) {
    return {.producer_id = pid, .producer_epoch = epoch, .coordinator_epoch = coordinator_epoch, .commit = commit};
}

msg::fetch_request fetch_request_for(const std::string& topic, int64_t offset, int8_t isolation) {
    msg::fetch_request req;
    req.max_wait_ms = 0;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.isolation_level = isolation;
    auto& t = req.topics.emplace_back();
    t.topic = topic;
    auto& p = t.partitions.emplace_back();
    p.partition = 0;
    p.fetch_offset = offset;
    p.partition_max_bytes = 1 << 20;
    return req;
}

fetched fetch_at(cluster_fixture& f, const std::string& topic, int64_t offset, int8_t isolation) {
    return f.fetch(fetch_request_for(topic, offset, isolation));
}

std::optional<broker::fetch_result> fetch_woken_by(cluster_fixture& f, const std::string& topic,
                                                   msg::fetch_request req,
                                                   const std::function<void()>& wake) {
    auto ctx = f.context(1, 12);
    // Not run_here's io_context (the loop below runs that one while this one has work), but
    // like it alive for the thread's life: see run_here.h.
    static thread_local asio::io_context io;
    io.restart();
    std::optional<broker::fetch_result> result;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        result = co_await broker::fetch_handler::handle(f.replicas(), ctx, std::move(req));
    }, asio::detached);
    // Step the fetch until it is parked; the guard keeps `io` running while its hops are
    // away on the partition's strand.
    auto guard = asio::make_work_guard(io);
    auto p = f.replicas().find(topic, 0);
    while (!result) {
        bool parked = cluster_fixture::run([&]() -> asio::awaitable<bool> {
            auto hop = replica_manager::on(p, [](cluster::partition& part) { return part.waiting_fetches() > 0; });
            co_return co_await std::move(hop);
        }());
        if (parked) break;
        io.run_one();
    }
    if (result) {
        guard.reset();
        io.run();
        return std::nullopt;
    }
    std::thread waker(wake);
    guard.reset();
    io.run();
    waker.join();
    return result;
}

std::pair<int64_t, int64_t> list_offset_at(cluster_fixture& f, const std::string& topic,
                                           int64_t timestamp, int8_t isolation) {
    msg::list_offsets_request req;
    req.replica_id = -1;
    req.isolation_level = isolation;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.timestamp = timestamp;
    auto ctx = f.context(2, 9);
    auto resp = cluster_fixture::run([&]() -> asio::awaitable<msg::list_offsets_response> {
        co_return co_await broker::list_offsets_handler::handle(f.replicas(), ctx, std::move(req));
    }());
    const auto& rp = resp.topics.at(0).partitions.at(0);
    return {rp.offset, rp.timestamp};
}

std::vector<int64_t> base_offsets(const fetched& r) {
    std::vector<int64_t> out;
    for (const seen_batch& b : batches_in(r.partition().records)) out.push_back(b.base_offset);
    return out;
}

}  // namespace eddy::cluster::test
