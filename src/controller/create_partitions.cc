// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// CreatePartitions, as Kafka 3.9's ControllerApis and ReplicationControlManager decide it,
// without quotas or ACLs.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "controller/controller.h"
#include "controller/limits.h"
#include "controller/placement.h"

namespace eddy::controller {

using metadata::make_record;

controller_result<msg::create_partitions_response> controller::create_partitions(
    const msg::create_partitions_request& request, int16_t version, int64_t now_ms) {
    (void)version;
    (void)now_ms;
    using topic_result = msg::create_partitions_response::create_partitions_topic_result;
    controller_result<msg::create_partitions_response> out;
    const metadata::metadata_image& image = *image_;
    std::map<std::string, int, std::less<>> count;
    for (const auto& t : request.topics) ++count[t.name];
    const bool queued = std::any_of(count.begin(), count.end(), [](const auto& c) { return c.second == 1; });
    if (queued && deadline_passed_in_queue(request.timeout_ms)) {
        for (const auto& t : request.topics) {
            topic_result r;
            r.name = t.name;
            r.error_code = wire_code(error_code::request_timed_out);
            out.response.results.push_back(std::move(r));
        }
        return out;
    }
    for (const auto& [name, n] : count) {
        if (n > 1) {
            topic_result r;
            r.name = name;
            r.error_code = wire_code(error_code::invalid_request);
            r.error_message = "Duplicate topic name.";
            out.response.results.push_back(std::move(r));
        }
    }
    std::vector<metadata::versioned_record> records;
    bool too_many = false;
    for (const auto& t : request.topics) {
        if (count[t.name] > 1) continue;
        // One PartitionRecord per new partition: a count that would pass the bound below
        // refuses the request before a placement is built for it (Kafka's placer would try
        // to build one for a count like 2147483647).
        if (const metadata::topic_image* topic = image.topic(t.name); topic != nullptr) {
            const int64_t additional = int64_t{t.count} - static_cast<int64_t>(topic->partitions.size());
            if (additional > 0 && records.size() + static_cast<uint64_t>(additional) > max_records_per_operation) {
                too_many = true;
                break;
            }
        }
        api_error e = add_partitions(image, t, records);
        topic_result r;
        r.name = t.name;
        r.error_code = e.code_value();
        r.error_message = e.message;
        out.response.results.push_back(std::move(r));
    }
    if (too_many || records.size() > max_records_per_operation) {
        out.response.results.clear();
        for (const auto& t : request.topics) {
            topic_result r;
            r.name = t.name;
            r.error_code = wire_code(error_code::policy_violation);
            r.error_message = std::string(excessive_batch_message);
            out.response.results.push_back(std::move(r));
        }
        return out;
    }
    if (!request.validate_only) out.records = std::move(records);
    return out;
}

api_error controller::add_partitions(const metadata::metadata_image& image,
                                     const msg::create_partitions_request::create_partitions_topic& t,
                                     std::vector<metadata::versioned_record>& records) {
    const metadata::topic_image* topic = image.topic(t.name);
    if (topic == nullptr) return {error_code::unknown_topic_or_partition, std::nullopt};
    const auto current = static_cast<int32_t>(topic->partitions.size());
    if (t.count == current) {
        return fail(error_code::invalid_partitions,
                    fmt::format("Topic already has {} partition(s).", current));
    }
    if (t.count < current) {
        return fail(error_code::invalid_partitions,
                    fmt::format("The topic {} currently has {} partition(s); {} would not be an "
                                "increase.",
                                t.name, current, t.count));
    }
    const int32_t additional = t.count - current;
    if (t.assignments && static_cast<int32_t>(t.assignments->size()) != additional) {
        return fail(error_code::invalid_replica_assignment,
                    fmt::format("Attempted to add {} additional partition(s), but only {} "
                                "assignment(s) were specified.",
                                additional, t.assignments->size()));
    }
    if (topic->partitions.empty()) {
        return fail(error_code::unknown_server_error,
                    fmt::format("Invalid state: topic {} appears to have no partitions.", t.name));
    }
    const auto rf = static_cast<int32_t>(topic->partitions.begin()->second.replicas.size());
    std::vector<std::vector<int32_t>> assignment;
    if (t.assignments) {
        for (size_t i = 0; i < t.assignments->size(); ++i) {
            const auto& replicas = (*t.assignments)[i].broker_ids;
            if (api_error e = validate_manual_assignment(image, replicas, rf); e.failed()) return e;
            if (active_replicas(image, replicas).empty()) {
                return fail(error_code::invalid_replica_assignment,
                            fmt::format("All brokers specified in the manual partition assignment "
                                        "for partition {} are fenced or in controlled shutdown.",
                                        current + static_cast<int32_t>(i)));
            }
            assignment.push_back(replicas);
        }
    } else {
        placement placed = place_replicas(image, additional, rf, rng_);
        if (placed.error.failed()) {
            // The placer's own exception, without CreateTopics' "Unable to replicate" prefix.
            std::string message = placed.error.message.value_or("");
            const std::string prefix = fmt::format("Unable to replicate the partition {} time(s): ", rf);
            if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
            return fail(error_code::invalid_replication_factor, message);
        }
        assignment = std::move(placed.replicas);
    }
    for (size_t i = 0; i < assignment.size(); ++i) {
        std::vector<int32_t> isr = active_replicas(image, assignment[i]);
        if (isr.empty()) {
            return fail(error_code::invalid_replication_factor,
                        fmt::format("Unable to replicate the partition {} time(s): All brokers are "
                                    "currently fenced or in controlled shutdown.",
                                    rf));
        }
        msg::partition_record rec;
        rec.partition_id = current + static_cast<int32_t>(i);
        rec.topic_id = topic->id;
        rec.replicas = assignment[i];
        rec.isr = isr;
        rec.leader = isr.front();
        rec.leader_epoch = 0;
        rec.partition_epoch = 0;
        rec.directories = default_directories(image, assignment[i]);
        records.push_back(make_record(std::move(rec)));
    }
    return {};
}

}  // namespace eddy::controller
