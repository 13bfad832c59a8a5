// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DeleteTopics (by name, and by id from v6), as Kafka 3.9's ControllerApis and
// ReplicationControlManager decide it, without quotas or ACLs.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "controller/controller.h"
#include "controller/effective_config.h"
#include "controller/limits.h"

namespace eddy::controller {

namespace {

using deletable = msg::delete_topics_response::deletable_topic_result;
using metadata::make_record;

constexpr std::string_view unknown_topic_id_text = "This server does not host this topic ID.";

deletable result(std::optional<std::string> name, codec::uuid id, error_code code,
                 std::optional<std::string> message) {
    deletable r;
    r.name = std::move(name);
    r.topic_id = id;
    r.error_code = wire_code(code);
    r.error_message = std::move(message);
    return r;
}

}  // namespace

controller_result<msg::delete_topics_response> controller::delete_topics(
    const msg::delete_topics_request& request, int16_t version, int64_t now_ms) const {
    (void)now_ms;
    controller_result<msg::delete_topics_response> out;
    auto& responses = out.response.responses;
    const metadata::metadata_image& image = *image_;
    const broker_layers layers = broker_layers::of(image, options_.node_id, options_.static_configs);
    if (!broker_flag("delete.topic.enable", layers, true)) {
        // The whole request fails: INVALID_REQUEST before v3, TOPIC_DELETION_DISABLED after.
        const bool old = version < 3;
        const error_code code = old ? error_code::invalid_request : error_code::topic_deletion_disabled;
        std::optional<std::string> message;
        if (old) message = "Topic deletion is disabled.";
        for (const auto& n : request.topic_names) responses.push_back(result(n, {}, code, message));
        for (const auto& t : request.topics) responses.push_back(result(t.name, t.topic_id, code, message));
        return out;
    }

    // ControllerApis.deleteTopics: gather names and ids, refusing duplicates and
    // entries that give both or neither.
    std::map<std::string, int, std::less<>> name_count;
    std::map<codec::uuid, int, metadata::uuid_less> id_count;
    for (const auto& n : request.topic_names) ++name_count[n];
    for (const auto& t : request.topics) {
        if (!t.name) {
            if (t.topic_id.is_zero()) {
                responses.push_back(result(std::nullopt, {}, error_code::invalid_request,
                                           "Neither topic name nor id were specified."));
            } else {
                ++id_count[t.topic_id];
            }
        } else if (t.topic_id.is_zero()) {
            ++name_count[*t.name];
        } else {
            responses.push_back(result(t.name, t.topic_id, error_code::invalid_request,
                                       "You may not specify both topic name and topic id."));
        }
    }
    auto once = [](const auto& c) { return c.second == 1; };
    const bool queued = std::any_of(name_count.begin(), name_count.end(), once) ||
                        std::any_of(id_count.begin(), id_count.end(), once);
    if (queued && deadline_passed_in_queue(request.timeout_ms)) {
        // Looking the names and ids up is the first step to time out.
        responses.clear();
        for (const auto& n : request.topic_names)
            responses.push_back(result(n, {}, error_code::request_timed_out, std::nullopt));
        for (const auto& t : request.topics)
            responses.push_back(result(t.name, t.topic_id, error_code::request_timed_out, std::nullopt));
        return out;
    }
    std::map<codec::uuid, std::string, metadata::uuid_less> to_delete;
    std::set<codec::uuid, metadata::uuid_less> duplicate_ids;
    for (const auto& [name, count] : name_count) {
        if (count > 1) {
            responses.push_back(
                result(name, {}, error_code::invalid_request, "Duplicate topic name."));
        }
    }
    for (const auto& [id, count] : id_count) {
        if (count > 1) {
            duplicate_ids.insert(id);
            responses.push_back(
                result(std::nullopt, id, error_code::invalid_request, "Duplicate topic id."));
        }
    }
    for (const auto& [id, count] : id_count) {
        if (count > 1) continue;
        if (const metadata::topic_image* t = image.topic(id)) {
            to_delete[id] = t->name;
        } else {
            responses.push_back(result(std::nullopt, id, error_code::unknown_topic_id,
                                       std::string(unknown_topic_id_text)));
        }
    }
    for (const auto& [name, count] : name_count) {
        if (count > 1) continue;
        const metadata::topic_image* t = image.topic(name);
        if (t == nullptr) {
            responses.push_back(result(name, {}, error_code::unknown_topic_or_partition,
                                       std::string(unknown_topic_or_partition_message)));
        } else if (duplicate_ids.count(t->id) != 0 || to_delete.count(t->id) != 0) {
            to_delete.erase(t->id);
            duplicate_ids.insert(t->id);
            responses.push_back(
                result(name, t->id, error_code::invalid_request,
                       "The provided topic name maps to an ID that was already supplied."));
        } else {
            to_delete[t->id] = name;
        }
    }
    if (to_delete.size() > max_records_per_operation) {
        for (const auto& [id, name] : to_delete) {
            responses.push_back(result(name, id, error_code::policy_violation,
                                       std::string(excessive_batch_message)));
        }
        return out;
    }
    for (const auto& [id, name] : to_delete) {
        out.records.push_back(make_record(msg::remove_topic_record{id, {}}));
        responses.push_back(result(name, id, error_code::none, std::nullopt));
    }
    return out;
}

}  // namespace eddy::controller
