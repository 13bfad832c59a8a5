// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The BROKER_LOGGER config resource (type 8, KIP-412): this broker's loggers and their
// levels, described by DescribeConfigs and changed by IncrementalAlterConfigs. Kafka
// answers it on the broker the request reaches, never on the controller, and keeps
// nothing of it in the metadata log: a restart brings back the configured levels.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "eddy/msg/describe_configs_request.h"
#include "eddy/msg/describe_configs_response.h"
#include "eddy/msg/incremental_alter_configs_request.h"
#include "eddy/msg/incremental_alter_configs_response.h"
#include "metadata/metadata_image.h"

namespace eddy::broker {

inline constexpr int8_t broker_logger_resource_type =
    static_cast<int8_t>(metadata::resource_type::broker_logger);

// Kafka's ConfigHelper for a BROKER_LOGGER resource named after `node_id`: every logger
// with its level (source DYNAMIC_BROKER_LOGGER_CONFIG), or INVALID_REQUEST for another name.
msg::describe_configs_response::describe_configs_result describe_broker_loggers(
    const msg::describe_configs_request::describe_configs_resource& resource, int32_t node_id);

// Kafka's ConfigAdminManager.preprocess and RuntimeLoggerManager for one BROKER_LOGGER
// resource: checks every change, then (unless `validate_only`) applies them all.
// `duplicated`: the request names this resource more than once.
msg::incremental_alter_configs_response::alter_configs_resource_response alter_broker_loggers(
    const msg::incremental_alter_configs_request::alter_configs_resource& resource,
    int32_t node_id, bool validate_only, bool duplicated);

// The answers to `asked`, in its order: a BROKER_LOGGER resource's from `answer_here`, every
// other's taken in turn from `forwarded` (the controller's answers to the rest, in order).
template <class Resource, class Result, class AnswerHere>
std::vector<Result> answers_in_order(const std::vector<Resource>& asked, std::vector<Result>& forwarded,
                                     AnswerHere answer_here) {
    std::vector<Result> out;
    size_t next = 0;
    for (const Resource& r : asked) {
        if (r.resource_type == broker_logger_resource_type) {
            out.push_back(answer_here(r));
        } else if (next < forwarded.size()) {
            out.push_back(std::move(forwarded[next++]));
        }
    }
    return out;
}

}  // namespace eddy::broker
