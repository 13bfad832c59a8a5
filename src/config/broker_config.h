// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The broker's settings, under Kafka's server.properties key names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/listener.h"
#include "config/properties.h"

namespace eddy::config {

// Kafka's defaults of the limits that handlers read from broker::broker_info as well.
inline constexpr int32_t default_max_request_partition_size_limit = 2000;
inline constexpr int32_t default_fetch_max_bytes = 55 * 1024 * 1024;

// Every field starts at the embedded default used when no file is given, so
// `eddy` alone serves PLAINTEXT://localhost:9092 with data in ./eddy-data.
// Keys (Kafka's, except eddy.log.level):
//   node.id, process.roles, listeners, advertised.listeners, log.dirs (or log.dir),
//   num.partitions, num.network.threads, num.io.threads, socket.request.max.bytes,
//   connections.max.idle.ms, socket.send.buffer.bytes, socket.receive.buffer.bytes,
//   max.connections, max.connections.per.ip, max.connections.per.ip.overrides,
//   max.request.partition.size.limit, fetch.max.bytes,
//   log.retention.check.interval.ms, log.flush.scheduler.interval.ms,
//   log.flush.offset.checkpoint.interval.ms, log.flush.start.offset.checkpoint.interval.ms,
//   producer.id.expiration.ms, producer.id.expiration.check.interval.ms,
//   transaction.max.timeout.ms, transactional.id.expiration.ms,
//   transaction.abort.timed.out.transaction.cleanup.interval.ms,
//   transaction.remove.expired.transaction.cleanup.interval.ms,
//   transaction.state.log.{num.partitions,replication.factor,min.isr,segment.bytes,load.buffer.size},
//   cluster.id, eddy.log.level (trace|debug|info|warn|error|critical|off).
// Other Kafka keys (log.retention.hours, log.segment.bytes, ...) are not fields here:
// the controller reads them from the properties as topic config defaults.
// A bad value throws config_error worded as Kafka's ConfigException
// ("Invalid value 0 for configuration num.io.threads: Value must be at least 1").
// The describe table (controller/broker_config_defs.cc) shows node.id, process.roles,
// listeners and log.dir(s) with these defaults; keep the two alike.
struct broker_config {
    int32_t node_id = 1;
    std::vector<std::string> process_roles{"broker", "controller"};
    std::vector<listener> listeners{{"PLAINTEXT", "localhost", 9092}};
    std::vector<listener> advertised_listeners;  // empty: advertise `listeners`
    std::vector<std::string> log_dirs{"./eddy-data"};
    int32_t num_partitions = 1;
    int32_t max_request_partition_size_limit = default_max_request_partition_size_limit;
    int32_t fetch_max_bytes = default_fetch_max_bytes;
    // Threads running the network executors; 0 (the default) = one per hardware thread.
    int32_t num_network_threads = 0;
    // Threads of the partition pool: each partition is owned by a strand there, which
    // also does its blocking file I/O (requests are parsed on the network threads).
    int32_t num_io_threads = 8;
    int32_t socket_request_max_bytes = 104857600;
    // A connection with no bytes in or out for this long is closed; negative: never.
    int64_t connections_max_idle_ms = 600000;
    // SO_SNDBUF / SO_RCVBUF of accepted sockets, as Kafka's socket.send.buffer.bytes and
    // socket.receive.buffer.bytes; -1 (or any value <= 0) leaves the kernel's autotuned
    // buffers. Kafka's default is 102400, which cost a quarter more broker CPU per GB on
    // loopback produce (0.69-0.70 against 0.55-0.58 s/GB, 1 KiB records, 2026-11-22), so
    // Eddy's default is -1.
    int32_t socket_send_buffer_bytes = -1;
    int32_t socket_receive_buffer_bytes = -1;
    // Kafka's connection limits (net/connection_quotas.h); the overrides are
    // "host:count,..." and are parsed, and their hosts resolved, when the server starts.
    int32_t max_connections = INT32_MAX;
    int32_t max_connections_per_ip = INT32_MAX;
    std::string max_connections_per_ip_overrides;
    // How often the replica manager applies retention, checks flush.ms, and writes the
    // recovery-point and log-start-offset checkpoints (Kafka's LogManager schedule;
    // a scheduler or checkpoint interval <= 0 leaves that task to shutdown).
    int64_t log_retention_check_interval_ms = 300000;
    int64_t log_flush_scheduler_interval_ms = INT64_MAX;
    int32_t log_flush_offset_checkpoint_interval_ms = 60000;
    int32_t log_flush_start_offset_checkpoint_interval_ms = 60000;
    // The log cleaner: whether compacted topics are cleaned, how long it waits between
    // passes, and the memory of its key-to-offset map.
    bool log_cleaner_enable = true;
    int64_t log_cleaner_backoff_ms = 15000;
    int64_t log_cleaner_dedupe_buffer_size = 134217728;
    // When those four tasks first run after start-up (Kafka's internal
    // log.initial.task.delay.ms); each then runs on its own interval.
    int64_t log_initial_task_delay_ms = 30000;
    // Idempotent producers: how long a partition keeps a silent producer's state, and how
    // often it looks (producer.id.expiration.ms, producer.id.expiration.check.interval.ms).
    int32_t producer_id_expiration_ms = 86400000;
    int32_t producer_id_expiration_check_interval_ms = 600000;
    // The transaction coordinator and __transaction_state (Kafka's
    // TransactionStateManagerConfig and TransactionLogConfig names and defaults).
    int32_t transaction_max_timeout_ms = 900000;
    int32_t transactional_id_expiration_ms = 604800000;
    int32_t transaction_abort_timed_out_transaction_cleanup_interval_ms = 10000;
    int32_t transaction_remove_expired_transaction_cleanup_interval_ms = 3600000;
    int32_t transaction_state_log_num_partitions = 50;
    int16_t transaction_state_log_replication_factor = 3;
    int32_t transaction_state_log_min_isr = 2;
    int32_t transaction_state_log_segment_bytes = 104857600;
    int32_t transaction_state_log_load_buffer_size = 5242880;
    std::string log_level = "info";
    // eddy.produce.batch.validation: `strict` reads every record of every compressed
    // batch as Kafka does; `relaxed` (the default) checks lz4 and zstd batches by header,
    // CRC and framing (record::batch_validation says when their records are read anyway).
    bool produce_batch_validation_strict = false;
    // Optional: the cluster id to write into a new meta.properties.
    std::optional<std::string> cluster_id;

    // advertised_listeners when set, else listeners.
    const std::vector<listener>& effective_advertised_listeners() const {
        return advertised_listeners.empty() ? listeners : advertised_listeners;
    }
};

// Builds a config from key/value pairs over the defaults. Keys that are not start-up
// settings are left to the components that read them (logged at debug); a bad value
// throws config_error naming the key.
broker_config config_from_properties(const properties& props);

// `eddy [server.properties] [--override key=value]...`, as kafka-server-start.sh.
struct command_line {
    std::optional<std::string> config_path;
    properties overrides;
    bool help = false;
};
// Throws config_error on a malformed command line.
command_line parse_command_line(int argc, const char* const* argv);

// The file (if any), then the overrides on top, then Kafka's synonyms
// (KafkaConfig.populateSynonyms): broker.id and node.id each stand for the other when
// only one is given, so both are what the broker describes as its static config.
properties load_properties(const command_line& cmd);

// config_from_properties(load_properties(cmd)).
broker_config load_config(const command_line& cmd);

}  // namespace eddy::config
