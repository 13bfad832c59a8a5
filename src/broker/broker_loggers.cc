// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/broker_loggers.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "common/logging.h"
#include "common/parse_int.h"
#include "eddy/error_code.h"

namespace eddy::broker {
namespace {

// Kafka's AlterConfigOp.OpType ids.
constexpr int8_t op_set = 0;
constexpr int8_t op_delete = 1;
constexpr int8_t op_append = 2;
constexpr int8_t op_subtract = 3;

// Kafka's ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG.
constexpr int8_t dynamic_broker_logger_source = 6;

struct failure {
    error_code code;
    std::string message;
};

// RuntimeLoggerManager.validateLogLevelConfigs for one change.
std::optional<failure> check_change(
    const msg::incremental_alter_configs_request::alterable_config& c) {
    switch (c.config_operation) {
        case op_set:
            if (!logger_exists(c.name)) {
                return failure{error_code::invalid_config, fmt::format("Logger {} does not exist!", c.name)};
            }
            if (!parse_kafka_level(c.value.value_or(""))) {
                return failure{error_code::invalid_config,
                               fmt::format("Cannot set the log level of {} to {} as it is not a "
                                           "supported log level. Valid log levels are DEBUG, "
                                           "ERROR, FATAL, INFO, TRACE, WARN",
                                           c.name, c.value.value_or(""))};
            }
            return std::nullopt;
        case op_delete:
            if (!logger_exists(c.name)) {
                return failure{error_code::invalid_config, fmt::format("Logger {} does not exist!", c.name)};
            }
            if (c.name == root_logger_name) {
                return failure{error_code::invalid_request,
                               "Removing the log level of the root logger is not allowed"};
            }
            return std::nullopt;
        case op_append:
            return failure{error_code::invalid_request,
                           "APPEND operation is not allowed for the BROKER_LOGGER resource"};
        case op_subtract:
            return failure{error_code::invalid_request,
                           "SUBTRACT operation is not allowed for the BROKER_LOGGER resource"};
        default:
            return failure{error_code::invalid_request,
                           fmt::format("Unknown operation type {} is not allowed for the "
                                       "BROKER_LOGGER resource",
                                       static_cast<int>(c.config_operation))};
    }
}

// ConfigAdminManager.preprocess's checks, then the node id and every change.
std::optional<failure> check_resource(
    const msg::incremental_alter_configs_request::alter_configs_resource& resource,
    int32_t node_id, bool duplicated) {
    if (duplicated) return failure{error_code::invalid_request, "Each resource must appear at most once."};
    std::set<std::string, std::less<>> names;
    std::string nulls;
    for (const auto& c : resource.configs) {
        if (!names.insert(c.name).second) {
            return failure{error_code::invalid_request, "Error due to duplicate config keys"};
        }
        if (c.config_operation != op_delete && !c.value) nulls += (nulls.empty() ? "" : ", ") + c.name;
    }
    if (!nulls.empty()) return failure{error_code::invalid_request, "Null value not supported for : " + nulls};
    int32_t id = 0;
    if (!parse_int(resource.resource_name, id)) {
        return failure{error_code::invalid_request,
                       "Node id must be an integer, but it is: " + resource.resource_name};
    }
    if (id != node_id) {
        return failure{error_code::invalid_request,
                       fmt::format("Unexpected node id. Expected {}, but received {}", node_id,
                                   resource.resource_name)};
    }
    for (const auto& c : resource.configs) {
        if (auto f = check_change(c)) return f;
    }
    return std::nullopt;
}

}  // namespace

msg::describe_configs_response::describe_configs_result describe_broker_loggers(
    const msg::describe_configs_request::describe_configs_resource& resource, int32_t node_id) {
    msg::describe_configs_response::describe_configs_result out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    auto refuse = [&](std::string message) {
        out.error_code = wire_code(error_code::invalid_request);
        out.error_message = std::move(message);
        return out;
    };
    if (resource.resource_name.empty()) return refuse("Broker id must not be empty");
    int32_t id = 0;
    if (!parse_int(resource.resource_name, id)) {
        return refuse("Broker id must be an integer, but it is: " + resource.resource_name);
    }
    if (id != node_id) {
        return refuse(fmt::format("Unexpected broker id, expected {} but received {}", node_id,
                                  resource.resource_name));
    }
    const auto& keys = resource.configuration_keys;
    for (const auto& [name, level] : logger_levels()) {
        if (keys && !keys->empty() && std::find(keys->begin(), keys->end(), name) == keys->end()) continue;
        msg::describe_configs_response::describe_configs_resource_result e;
        e.name = name;
        e.value = std::string(kafka_level_name(level));
        e.config_source = dynamic_broker_logger_source;
        e.read_only = false;
        e.is_sensitive = false;
        out.configs.push_back(std::move(e));
    }
    return out;
}

msg::incremental_alter_configs_response::alter_configs_resource_response alter_broker_loggers(
    const msg::incremental_alter_configs_request::alter_configs_resource& resource,
    int32_t node_id, bool validate_only, bool duplicated) {
    msg::incremental_alter_configs_response::alter_configs_resource_response out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    out.error_message = std::nullopt;
    if (auto f = check_resource(resource, node_id, duplicated)) {
        out.error_code = wire_code(f->code);
        out.error_message = std::move(f->message);
        return out;
    }
    if (validate_only) return out;
    auto log = get_logger("kafka");
    for (const auto& c : resource.configs) {
        if (c.config_operation == op_set) {
            set_logger_level(c.name, *parse_kafka_level(*c.value));
            log->warn("Updated the log level of {} to {}", c.name, *c.value);
        } else {
            unset_logger_level(c.name);
            log->warn("Unset the log level of {}", c.name);
        }
    }
    return out;
}

}  // namespace eddy::broker
