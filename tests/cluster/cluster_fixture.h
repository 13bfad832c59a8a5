// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: a replica manager on a temporary log directory, topics made from metadata
// records, and the data-path handlers run to completion in the test's thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio.hpp>

#include "batch_builder.h"
#include "broker/handlers/delete_records.h"
#include "broker/handlers/fetch.h"
#include "broker/handlers/list_offsets.h"
#include "broker/handlers/offset_for_leader_epoch.h"
#include "broker/handlers/produce.h"
#include "cluster/replica_manager.h"
#include "metadata/metadata_image.h"
#include "run_here.h"

namespace eddy::cluster::test {

struct topic_spec {
    std::string name;
    int32_t partitions = 1;
    std::map<std::string, std::string> configs{};  // topic overrides (ConfigRecord)
    int32_t leader = 1;
    std::vector<int32_t> isr{1};
    int32_t leader_epoch = 0;
    std::vector<int32_t> replicas{};  // empty: just the leader
};

// A decoded Fetch response; `frame` owns the bytes its records views point into.
struct fetched {
    std::vector<uint8_t> frame;
    msg::fetch_response response;
    const msg::fetch_response::partition_data& partition(size_t topic = 0, size_t p = 0) const {
        return response.responses.at(topic).partitions.at(p);
    }
};

// One batch as a client sees it in a Fetch.
struct seen_batch {
    int64_t base_offset;
    int64_t last_offset;
    record::compression codec;
    int64_t max_timestamp;
    size_t size;
};
std::vector<seen_batch> batches_in(const codec::bytes_view& records);

class cluster_fixture {
public:
    // `options` give the housekeeping intervals; node id, log dirs and threads are set here.
    explicit cluster_fixture(size_t threads = 2, replica_manager_options options = {});
    ~cluster_fixture();

    void create_topic(const topic_spec& spec);
    void delete_topic(const std::string& name);
    // Sets (a value) or removes (nullopt) dynamic configs, as the ConfigRecords the
    // controller writes for IncrementalAlterConfigs: of a topic, or with type broker and
    // name "" the cluster-wide broker defaults topic configs fall back to.
    void alter_configs(metadata::resource_type type, const std::string& name,
                       const std::map<std::string, std::optional<std::string>>& configs);

    // A partition's log as its executor sees it.
    struct log_state {
        size_t segments = 0;
        int64_t recovery_point = 0;
        int64_t log_start = 0;
        int64_t log_end = 0;
    };
    log_state log_of(const std::string& topic, int32_t partition);
    // Stops the replica manager (a clean shutdown) and starts a new one on the same dirs,
    // with new options when given.
    void restart();
    void restart(replica_manager_options options);
    codec::uuid topic_id(const std::string& name) const;

    // `transactional_id`: the request's, which Kafka requires when the batch is transactional.
    msg::produce_response produce(const std::string& topic, int32_t partition,
                                  std::vector<uint8_t> batch, int16_t acks = -1,
                                  int16_t version = 11,
                                  std::optional<std::string> transactional_id = std::nullopt);
    // A whole request; its records views must outlive the call.
    msg::produce_response produce(msg::produce_request req, int16_t version = 11);
    int16_t produce_error(const std::string& topic, int32_t partition, std::vector<uint8_t> batch,
                          int16_t acks = -1);
    fetched fetch(msg::fetch_request req, int16_t version = 12);
    // A one-partition fetch from `offset`, without waiting.
    fetched fetch_one(const std::string& topic, int32_t partition, int64_t offset,
                      int32_t partition_max_bytes = 1 << 20, int32_t max_bytes = 50 << 20);
    msg::list_offsets_response list_offsets(const std::string& topic, int32_t partition,
                                            int64_t timestamp, int16_t version = 9);
    msg::list_offsets_response list_offsets(msg::list_offsets_request req, int16_t version = 9);
    msg::delete_records_response delete_records(const std::string& topic, int32_t partition,
                                                int64_t offset);
    msg::offset_for_leader_epoch_response offset_for_epoch(const std::string& topic,
                                                           int32_t partition, int32_t epoch);
    msg::offset_for_leader_epoch_response offset_for_epoch(msg::offset_for_leader_epoch_request req);
    msg::delete_records_response delete_records(msg::delete_records_request req);

    // Runs `a` in this thread until it completes (see run_here.h).
    template <class T>
    static T run(asio::awaitable<T> a) {
        return eddy::test::run_here(std::move(a));
    }

    broker::request_context context(int16_t api_key, int16_t version) const;
    // The broker settings every context() carries (Kafka's defaults unless a test sets them).
    broker::broker_info& broker() { return *broker_; }
    replica_manager& replicas() { return *rm_; }
    const std::string& dir() const { return dir_; }

private:

    std::string dir_;
    size_t threads_;
    std::shared_ptr<broker::broker_info> broker_ = std::make_shared<broker::broker_info>();
    replica_manager_options options_;
    std::unique_ptr<replica_manager> rm_;
    metadata::image_ptr image_;
};

// A batch of `n` records with values of `value_size` bytes.
std::vector<uint8_t> simple_batch(int n = 1, size_t value_size = 10,
                                  record::compression codec = record::compression::none,
                                  int64_t base_timestamp = -1);
int64_t now_ms();

}  // namespace eddy::cluster::test
