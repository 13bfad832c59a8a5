// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "cluster_fixture.h"

#include <filesystem>
#include <random>
#include <stdexcept>

#include "broker/handlers/fetch_response_writer.h"
#include "common/wall_clock.h"
#include "eddy/codec/reader.h"
#include "eddy/msg/registry.h"
#include "eddy/msg/response_header.h"
#include "metadata/metadata_delta.h"
#include "record/batch.h"

namespace eddy::cluster::test {

int64_t now_ms() { return wall_clock_ms(); }

std::vector<uint8_t> simple_batch(int n, size_t value_size, record::compression codec,
                                  int64_t base_timestamp) {
    record::test::test_batch b;
    b.codec = codec;
    b.base_timestamp = base_timestamp < 0 ? now_ms() : base_timestamp;
    for (int i = 0; i < n; ++i)
        b.records.emplace_back(std::string("k") + std::to_string(i), std::string(value_size, 'v'));
    return record::test::build_batch(b);
}

std::vector<seen_batch> batches_in(const codec::bytes_view& records) {
    std::vector<seen_batch> out;
    record::batch_scanner scan(records.data, records.null ? 0 : records.size);
    record::batch_view b;
    while (scan.next(b) == record::scan_status::ok)
        out.push_back({b.base_offset(), b.last_offset(), b.compression_type(), b.max_timestamp(), b.size()});
    return out;
}

cluster_fixture::cluster_fixture(size_t threads, replica_manager_options options)
    : threads_(threads), options_(std::move(options)) {
    // No transaction coordinator runs here to verify transactional batches with (KIP-890;
    // tests/txn/txn_protocol_test.cc covers that), unless a test asks for it.
    options_.static_configs.try_emplace("transaction.partition.verification.enable", "false");
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() /
            ("eddy-cluster-test-" + std::to_string(rd()) + std::to_string(rd())))
               .string();
    std::filesystem::create_directories(dir_);
    image_ = metadata::metadata_image::empty("test-cluster");
    restart();
}

cluster_fixture::~cluster_fixture() {
    rm_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void cluster_fixture::restart(replica_manager_options options) {
    options_ = std::move(options);
    restart();
}

void cluster_fixture::restart() {
    rm_.reset();
    replica_manager_options o = options_;
    o.node_id = 1;
    o.log_dirs = {dir_ + "/logs"};
    o.threads = threads_;
    rm_ = std::make_unique<replica_manager>(o);
    rm_->start();
    rm_->apply_image(image_);
}

void cluster_fixture::create_topic(const topic_spec& spec) {
    metadata::metadata_delta delta(image_);
    msg::topic_record t;
    t.name = spec.name;
    std::random_device rd;
    for (auto& b : t.topic_id.bytes) b = static_cast<uint8_t>(rd());
    if (!delta.apply(t).ok()) throw std::runtime_error("topic record");
    for (int32_t i = 0; i < spec.partitions; ++i) {
        msg::partition_record p;
        p.partition_id = i;
        p.topic_id = t.topic_id;
        p.replicas = spec.replicas.empty() ? std::vector<int32_t>{spec.leader} : spec.replicas;
        p.isr = spec.isr;
        p.leader = spec.leader;
        p.leader_epoch = spec.leader_epoch;
        p.partition_epoch = 0;
        if (!delta.apply(p).ok()) throw std::runtime_error("partition record");
    }
    for (const auto& [k, v] : spec.configs) {
        msg::config_record c;
        c.resource_type = static_cast<int8_t>(metadata::resource_type::topic);
        c.resource_name = spec.name;
        c.name = k;
        c.value = v;
        if (!delta.apply(c).ok()) throw std::runtime_error("config record");
    }
    image_ = delta.build();
    rm_->apply_image(image_);
}

void cluster_fixture::alter_configs(metadata::resource_type type, const std::string& name,
                                    const std::map<std::string, std::optional<std::string>>& configs) {
    metadata::metadata_delta delta(image_);
    for (const auto& [k, v] : configs) {
        msg::config_record c;
        c.resource_type = static_cast<int8_t>(type);
        c.resource_name = name;
        c.name = k;
        c.value = v;
        if (!delta.apply(c).ok()) throw std::runtime_error("config record");
    }
    image_ = delta.build();
    rm_->apply_image(image_);
}

cluster_fixture::log_state cluster_fixture::log_of(const std::string& topic, int32_t partition) {
    std::shared_ptr<cluster::partition> p = rm_->find(topic, partition);
    if (!p) throw std::runtime_error("no such partition");
    return run(replica_manager::on(p, [](cluster::partition& part) {
        log_state s;
        if (log::log* l = part.get_log()) {
            s = {l->segment_count(), l->recovery_point(), l->earliest(), l->latest()};
        }
        return s;
    }));
}

void cluster_fixture::delete_topic(const std::string& name) {
    metadata::metadata_delta delta(image_);
    msg::remove_topic_record r;
    r.topic_id = topic_id(name);
    if (!delta.apply(r).ok()) throw std::runtime_error("remove topic record");
    image_ = delta.build();
    rm_->apply_image(image_);
}

codec::uuid cluster_fixture::topic_id(const std::string& name) const {
    const metadata::topic_image* t = image_->topic(name);
    return t ? t->id : codec::uuid{};
}

broker::request_context cluster_fixture::context(int16_t api_key, int16_t version) const {
    broker::request_context ctx;
    ctx.api_key = api_key;
    ctx.api_version = version;
    ctx.correlation_id = 7;
    ctx.client_id = "test";
    ctx.client = std::make_shared<broker::client_info>();
    ctx.broker = broker_;
    return ctx;
}

msg::produce_response cluster_fixture::produce(const std::string& topic, int32_t partition,
                                               std::vector<uint8_t> batch, int16_t acks,
                                               int16_t version,
                                               std::optional<std::string> transactional_id) {
    msg::produce_request req;
    req.transactional_id = std::move(transactional_id);
    req.acks = acks;
    req.timeout_ms = 30000;
    auto& t = req.topic_data.emplace_back();
    t.name = topic;
    auto& p = t.partition_data.emplace_back();
    p.index = partition;
    p.records = codec::bytes_view{batch.data(), batch.size(), false};
    return produce(std::move(req), version);
}

msg::produce_response cluster_fixture::produce(msg::produce_request req, int16_t version) {
    auto ctx = context(0, version);
    return run([&]() -> asio::awaitable<msg::produce_response> {
        co_return co_await broker::produce_handler::handle(*rm_, ctx, std::move(req));
    }());
}

int16_t cluster_fixture::produce_error(const std::string& topic, int32_t partition,
                                       std::vector<uint8_t> batch, int16_t acks) {
    return produce(topic, partition, std::move(batch), acks).responses.at(0).partition_responses.at(0).error_code;
}

fetched cluster_fixture::fetch(msg::fetch_request req, int16_t version) {
    auto ctx = context(1, version);
    broker::fetch_result r = run([&]() -> asio::awaitable<broker::fetch_result> {
        co_return co_await broker::fetch_handler::handle(*rm_, ctx, std::move(req));
    }());
    // Encode as the wire would carry it, then decode as a client.
    fetched out;
    out.frame = broker::write_fetch_response(ctx, r).flatten();
    codec::reader rd(out.frame.data(), out.frame.size());
    msg::response_header h;
    h.read(rd, msg::response_header_version(1, version));
    if (!out.response.read(rd, version) || !rd.ok() || rd.remaining() != 0)
        throw std::runtime_error("fetch response does not decode");
    return out;
}

fetched cluster_fixture::fetch_one(const std::string& topic, int32_t partition, int64_t offset,
                                   int32_t partition_max_bytes, int32_t max_bytes) {
    msg::fetch_request req;
    req.max_wait_ms = 0;
    req.min_bytes = 1;
    req.max_bytes = max_bytes;
    auto& t = req.topics.emplace_back();
    t.topic = topic;
    auto& p = t.partitions.emplace_back();
    p.partition = partition;
    p.fetch_offset = offset;
    p.partition_max_bytes = partition_max_bytes;
    return fetch(std::move(req));
}

msg::list_offsets_response cluster_fixture::list_offsets(const std::string& topic,
                                                         int32_t partition, int64_t timestamp,
                                                         int16_t version) {
    msg::list_offsets_request req;
    req.replica_id = -1;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    auto& p = t.partitions.emplace_back();
    p.partition_index = partition;
    p.timestamp = timestamp;
    return list_offsets(std::move(req), version);
}

msg::list_offsets_response cluster_fixture::list_offsets(msg::list_offsets_request req,
                                                         int16_t version) {
    auto ctx = context(2, version);
    return run([&]() -> asio::awaitable<msg::list_offsets_response> {
        co_return co_await broker::list_offsets_handler::handle(*rm_, ctx, std::move(req));
    }());
}

msg::delete_records_response cluster_fixture::delete_records(const std::string& topic,
                                                             int32_t partition, int64_t offset) {
    msg::delete_records_request req;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    t.partitions.push_back({.partition_index = partition, .offset = offset, .unknown_tagged_fields = {}});
    return delete_records(std::move(req));
}

msg::delete_records_response cluster_fixture::delete_records(msg::delete_records_request req) {
    auto ctx = context(21, 2);
    return run([&]() -> asio::awaitable<msg::delete_records_response> {
        co_return co_await broker::delete_records_handler::handle(*rm_, ctx, std::move(req));
    }());
}

msg::offset_for_leader_epoch_response cluster_fixture::offset_for_epoch(const std::string& topic,
                                                                        int32_t partition,
                                                                        int32_t epoch) {
    msg::offset_for_leader_epoch_request req;
    auto& t = req.topics.emplace_back();
    t.topic = topic;
    auto& p = t.partitions.emplace_back();
    p.partition = partition;
    p.leader_epoch = epoch;
    return offset_for_epoch(std::move(req));
}

msg::offset_for_leader_epoch_response cluster_fixture::offset_for_epoch(
    msg::offset_for_leader_epoch_request req) {
    auto ctx = context(23, 4);
    return run([&]() -> asio::awaitable<msg::offset_for_leader_epoch_response> {
        co_return co_await broker::offset_for_leader_epoch_handler::handle(*rm_, ctx, std::move(req));
    }());
}

}  // namespace eddy::cluster::test
