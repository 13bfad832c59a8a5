// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// CreateTopics and Metadata's auto-creation: ControllerApis.createTopics and
// ReplicationControlManager.createTopics of Kafka 3.9, without quotas or ACLs.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "controller/config_defs.h"
#include "controller/config_validation.h"
#include "controller/controller.h"
#include "controller/effective_config.h"
#include "controller/limits.h"
#include "controller/placement.h"
#include "controller/topic_names.h"

namespace eddy::controller {

using creatable_topic = msg::create_topics_request::creatable_topic;
using topic_result = msg::create_topics_response::creatable_topic_result;
using metadata::make_record;
using metadata::versioned_record;

// Creates one topic at a time against the controller's current image.
struct topic_creator {
    controller& c;

    api_error create(const creatable_topic& t, std::vector<versioned_record>& records,
                     topic_result& result) {
        const metadata::metadata_image& image = *c.image_;
        api_error error;
        if (auto bad = topic_name_error(t.name)) error = fail(error_code::invalid_topic_exception, *bad);
        if (auto other = colliding_topic(image, t.name)) {
            error = fail(error_code::invalid_topic_exception,
                         fmt::format("Topic '{}' collides with existing topic: {}", t.name, *other));
        }
        if (image.topic(t.name) != nullptr) {
            error = fail(error_code::topic_already_exists,
                         fmt::format("Topic '{}' already exists.", t.name));
        }
        if (error.failed()) return error;

        metadata::config_map configs;
        std::vector<std::string> null_configs;
        std::vector<std::string> config_order;  // ConfigRecords in request order, once each
        for (const auto& cfg : t.configs) {
            if (!cfg.value) {
                null_configs.push_back(cfg.name);
                continue;
            }
            if (configs.count(cfg.name) == 0) config_order.push_back(cfg.name);
            configs[cfg.name] = *cfg.value;
        }
        if (!null_configs.empty()) {
            std::string names;
            for (size_t i = 0; i < null_configs.size(); ++i) names += (i ? "," : "") + null_configs[i];
            return fail(error_code::invalid_config,
                        "Null value not supported for topic configs: " + names);
        }
        const broker_layers broker =
            broker_layers::of(image, c.options_.node_id, c.options_.static_configs);
        if (api_error e = validate_topic_configs(configs, broker); e.failed()) return e;

        std::vector<std::vector<int32_t>> assignment;
        std::vector<std::vector<int32_t>> isrs;
        if (!t.assignments.empty()) {
            if (api_error e = manual(t, image, assignment, isrs); e.failed()) return e;
        } else if (t.replication_factor < -1 || t.replication_factor == 0) {
            return fail(error_code::invalid_replication_factor,
                        "Replication factor must be larger than 0, or -1 to use the default "
                        "value.");
        } else if (t.num_partitions < -1 || t.num_partitions == 0) {
            return fail(error_code::invalid_partitions,
                        "Number of partitions was set to an invalid non-positive value.");
        } else {
            const auto partitions = t.num_partitions == -1
                                        ? static_cast<int32_t>(broker_number("num.partitions", broker, 1))
                                        : t.num_partitions;
            const auto rf =
                t.replication_factor == -1
                    ? static_cast<int32_t>(broker_number("default.replication.factor", broker, 1))
                    : t.replication_factor;
            placement placed = place_replicas(image, partitions, rf, c.rng_);
            if (placed.error.failed()) return placed.error;
            for (auto& replicas : placed.replicas) {
                std::vector<int32_t> isr = active_replicas(image, replicas);
                if (isr.empty()) {
                    return fail(error_code::invalid_replication_factor,
                                fmt::format("Unable to replicate the partition {} time(s): All "
                                            "brokers are currently fenced or in controlled "
                                            "shutdown.",
                                            rf));
                }
                isrs.push_back(std::move(isr));
                assignment.push_back(std::move(replicas));
            }
        }

        const codec::uuid id = c.new_topic_id();
        records.push_back(make_record(msg::topic_record{t.name, id, {}}));
        // ConfigRecords go after the TopicRecord and before the PartitionRecords.
        for (const auto& name : config_order) {
            msg::config_record rec;
            rec.resource_type = static_cast<int8_t>(metadata::resource_type::topic);
            rec.resource_name = t.name;
            rec.name = name;
            rec.value = configs[name];
            records.push_back(make_record(std::move(rec)));
        }
        for (size_t p = 0; p < assignment.size(); ++p) {
            records.push_back(make_record(new_partition(image, id, static_cast<int32_t>(p),
                                                        assignment[p], isrs[p])));
        }
        result.topic_id = id;
        result.error_code = 0;
        result.error_message = std::nullopt;
        result.num_partitions = static_cast<int32_t>(assignment.size());
        result.replication_factor = static_cast<int16_t>(assignment.front().size());
        result.configs = effective_configs(configs, broker);
        result.topic_config_error_code = 0;
        return {};
    }

    // A manual assignment: partitions 0..n-1, each a valid replica list of one size.
    static api_error manual(const creatable_topic& t, const metadata::metadata_image& image,
                            std::vector<std::vector<int32_t>>& assignment,
                            std::vector<std::vector<int32_t>>& isrs) {
        if (t.replication_factor != -1) {
            return fail(error_code::invalid_request,
                        "A manual partition assignment was specified, but replication factor was "
                        "not set to -1.");
        }
        if (t.num_partitions != -1) {
            return fail(error_code::invalid_request,
                        "A manual partition assignment was specified, but numPartitions was not "
                        "set to -1.");
        }
        std::map<int32_t, std::vector<int32_t>> by_index;
        std::optional<int32_t> rf;
        for (const auto& a : t.assignments) {
            if (by_index.count(a.partition_index) != 0) {
                return fail(error_code::invalid_replica_assignment,
                            fmt::format("Found multiple manual partition assignments for "
                                        "partition {}",
                                        a.partition_index));
            }
            if (api_error e = validate_manual_assignment(image, a.broker_ids, rf); e.failed()) {
                return e;
            }
            rf = static_cast<int32_t>(a.broker_ids.size());
            if (active_replicas(image, a.broker_ids).empty()) {
                return fail(error_code::invalid_replica_assignment,
                            fmt::format("All brokers specified in the manual partition assignment "
                                        "for partition {} are fenced or in controlled shutdown.",
                                        a.partition_index));
            }
            by_index[a.partition_index] = a.broker_ids;
        }
        for (int32_t i = 0; i < static_cast<int32_t>(by_index.size()); ++i) {
            if (by_index.count(i) == 0) {
                return fail(error_code::invalid_replica_assignment,
                            "partitions should be a consecutive 0-based integer sequence");
            }
        }
        for (auto& [index, replicas] : by_index) {
            isrs.push_back(active_replicas(image, replicas));
            assignment.push_back(std::move(replicas));
        }
        return {};
    }

    static msg::partition_record new_partition(const metadata::metadata_image& image,
                                               const codec::uuid& topic_id, int32_t partition,
                                               const std::vector<int32_t>& replicas,
                                               const std::vector<int32_t>& isr) {
        msg::partition_record rec;
        rec.partition_id = partition;
        rec.topic_id = topic_id;
        rec.replicas = replicas;
        rec.isr = isr;
        rec.leader = isr.front();
        rec.leader_recovery_state = 0;  // RECOVERED
        rec.leader_epoch = 0;
        rec.partition_epoch = 0;
        rec.directories = default_directories(image, replicas);
        return rec;
    }

    // CreateTopics v5+ returns every effective config of the new topic, sorted by name.
    static std::vector<msg::create_topics_response::creatable_topic_configs> effective_configs(
        const metadata::config_map& overrides, const broker_layers& layers) {
        std::vector<msg::create_topics_response::creatable_topic_configs> out;
        for (const config_def& def : topic_config_defs()) {
            resolved_config r = resolve_topic_config(def, overrides, layers);
            msg::create_topics_response::creatable_topic_configs entry;
            entry.name = r.name;
            entry.value = r.sensitive ? std::nullopt : r.value;
            // KafkaConfigSchema echoes an override as the client spelled it ("TRUE", " 100"),
            // where DescribeConfigs later shows the parsed value ("true", "100").
            if (auto it = overrides.find(def.name); it != overrides.end() && !r.sensitive)
                entry.value = it->second;
            entry.read_only = r.read_only;
            entry.config_source =
                static_cast<int8_t>(topic_config_source_at_creation(def, overrides, layers));
            entry.is_sensitive = r.sensitive;
            out.push_back(std::move(entry));
        }
        return out;
    }
};

controller_result<msg::create_topics_response> controller::create_topics(
    const msg::create_topics_request& request, int16_t version, int64_t now_ms) {
    (void)version;
    (void)now_ms;
    controller_result<msg::create_topics_response> out;
    // ControllerApis: a name given twice is refused (once), and so is __cluster_metadata.
    std::map<std::string, int, std::less<>> seen;
    for (const auto& t : request.topics) ++seen[t.name];
    const bool queued = std::any_of(request.topics.begin(), request.topics.end(), [&](const auto& t) {
        return seen[t.name] == 1 && t.name != cluster_metadata_topic;
    });
    // CreateTopicsRequest.getErrorResponse, for an operation that fails as a whole: every
    // entry of the request as sent, with the same error.
    auto refuse_all = [&](error_code e, std::optional<std::string> message) {
        out.response.topics.clear();
        for (const auto& t : request.topics) {
            topic_result r;
            r.name = t.name;
            r.error_code = wire_code(e);
            r.error_message = message;
            out.response.topics.push_back(std::move(r));
        }
        return out;
    };
    if (queued && deadline_passed_in_queue(request.timeout_ms)) {
        return refuse_all(error_code::request_timed_out, std::nullopt);  // a TimeoutException without a message
    }

    // ReplicationControlManager.validateTotalNumberOfPartitions, before anything else: the
    // partitions the topics that reach the controller ask for (num.partitions for -1, a
    // manual assignment's count), summed without Kafka's int overflow, so that a count like
    // 2147483647 is refused before any placement is built for it.
    int64_t asked = 0;
    const broker_layers broker = broker_layers::of(*image_, options_.node_id, options_.static_configs);
    for (const auto& t : request.topics) {
        if (seen[t.name] > 1 || t.name == cluster_metadata_topic) continue;
        if (!t.assignments.empty()) asked += static_cast<int64_t>(t.assignments.size());
        else if (t.num_partitions == -1) asked += broker_number("num.partitions", broker, 1);
        else if (t.num_partitions > 0) asked += t.num_partitions;
    }
    if (asked > static_cast<int64_t>(max_partitions_per_create)) {
        return refuse_all(error_code::policy_violation, std::string(excessive_partitions_message));
    }

    std::vector<versioned_record> records;
    topic_creator creator{*this};
    for (const auto& t : request.topics) {
        if (seen[t.name] > 1 || t.name == cluster_metadata_topic) continue;
        topic_result result;
        result.name = t.name;
        api_error e = creator.create(t, records, result);
        if (e.failed()) {
            result = topic_result{};
            result.name = t.name;
            result.error_code = e.code_value();
            result.error_message = e.message;
        }
        out.response.topics.push_back(std::move(result));
    }
    for (const auto& [name, count] : seen) {
        topic_result r;
        r.name = name;
        if (count > 1) {
            r.error_code = wire_code(error_code::invalid_request);
            r.error_message = "Duplicate topic name.";
        } else if (name == cluster_metadata_topic) {
            r.error_code = wire_code(error_code::invalid_request);
            r.error_message = fmt::format("Creation of internal topic {} is prohibited.", name);
        } else {
            continue;
        }
        out.response.topics.push_back(std::move(r));
    }
    if (records.size() > max_records_per_operation) {
        // QuorumController refuses the whole request (BoundedListTooLongException).
        return refuse_all(error_code::policy_violation, std::string(excessive_batch_message));
    }
    if (!request.validate_only) out.records = std::move(records);
    return out;
}

namespace {

// AutoTopicCreationManager.creatableTopic: the internal topics' settings come from
// their coordinators' configs.
msg::create_topics_request::creatable_topic auto_topic(std::string_view name,
                                                       const broker_layers& layers) {
    msg::create_topics_request::creatable_topic t;
    t.name = std::string(name);
    auto config = [&](std::string n, std::string v) {
        msg::create_topics_request::creatable_topic_config c;
        c.name = std::move(n);
        c.value = std::move(v);
        t.configs.push_back(std::move(c));
    };
    if (name == group_metadata_topic) {
        t.num_partitions = static_cast<int32_t>(broker_number("offsets.topic.num.partitions", layers, 50));
        t.replication_factor =
            static_cast<int16_t>(broker_number("offsets.topic.replication.factor", layers, 3));
        config("cleanup.policy", "compact");
        config("compression.type", "producer");
        config("segment.bytes",
               std::to_string(broker_number("offsets.topic.segment.bytes", layers, 104857600)));
    } else if (name == transaction_state_topic) {
        t.num_partitions =
            static_cast<int32_t>(broker_number("transaction.state.log.num.partitions", layers, 50));
        t.replication_factor = static_cast<int16_t>(
            broker_number("transaction.state.log.replication.factor", layers, 3));
        config("unclean.leader.election.enable", "false");
        config("compression.type", "uncompressed");
        config("cleanup.policy", "compact");
        config("min.insync.replicas",
               std::to_string(broker_number("transaction.state.log.min.isr", layers, 2)));
        config("segment.bytes", std::to_string(broker_number("transaction.state.log.segment.bytes",
                                                             layers, 104857600)));
    } else {
        t.num_partitions = static_cast<int32_t>(broker_number("num.partitions", layers, 1));
        t.replication_factor =
            static_cast<int16_t>(broker_number("default.replication.factor", layers, 1));
    }
    return t;
}

}  // namespace

controller_result<std::vector<auto_create_outcome>> controller::auto_create_topics(
    std::span<const std::string> names, bool allowed, int64_t now_ms) {
    (void)now_ms;
    controller_result<std::vector<auto_create_outcome>> out;
    const broker_layers layers = broker_layers::of(*image_, options_.node_id, options_.static_configs);
    const bool enabled = allowed && broker_flag("auto.create.topics.enable", layers, true);
    std::set<std::string, std::less<>> done;
    for (const std::string& name : names) {
        if (!done.insert(name).second || image_->topic(name) != nullptr) continue;
        auto_create_outcome o;
        o.name = name;
        if (topic_name_error(name)) {
            o.error_code = wire_code(error_code::invalid_topic_exception);
        } else if (!enabled || name == cluster_metadata_topic) {
            // The metadata log is never a topic: Kafka's controller refuses the forwarded
            // creation, so its broker keeps answering UNKNOWN_TOPIC_OR_PARTITION.
            o.error_code = wire_code(error_code::unknown_topic_or_partition);
        } else {
            // Kafka's KRaft broker forwards the creation and answers at once with
            // UNKNOWN_TOPIC_OR_PARTITION; the client retries and finds the topic.
            o.error_code = wire_code(error_code::unknown_topic_or_partition);
            topic_creator creator{*this};
            topic_result ignored;
            std::vector<versioned_record> records;
            if (!creator.create(auto_topic(name, layers), records, ignored).failed()) {
                o.created = true;
                out.records.insert(out.records.end(), records.begin(), records.end());
            }
        }
        out.response.push_back(std::move(o));
    }
    return out;
}

}  // namespace eddy::controller
