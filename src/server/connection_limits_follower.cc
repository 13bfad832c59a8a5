// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "server/connection_limits_follower.h"

#include "common/logging.h"
#include "config/config_error.h"
#include "controller/effective_config.h"

#include <stdexcept>

namespace eddy::server {
namespace {

int32_t limit_of(std::string_view name, const controller::broker_layers& layers) {
    return static_cast<int32_t>(controller::broker_number(name, layers, INT32_MAX));
}

std::string overrides_of(const controller::broker_layers& layers) {
    return controller::broker_value("max.connections.per.ip.overrides", layers).value_or("");
}

}  // namespace

connection_limits_follower::connection_limits_follower(
    int32_t node_id, std::map<std::string, std::string, std::less<>> statics)
    : node_id_(node_id), statics_(std::move(statics)) {
    const metadata::config_map none;
    const controller::broker_layers layers{none, none, statics_};
    overrides_text_ = overrides_of(layers);
    try {
        overrides_ = net::parse_per_ip_overrides(overrides_text_);
    } catch (const std::invalid_argument& e) {
        throw config::config_error(
            "Invalid value " + overrides_text_ +
            " for configuration max.connections.per.ip.overrides: " + e.what());
    }
    applied_ = {limit_of("max.connections", layers), limit_of("max.connections.per.ip", layers),
                overrides_};
}

void connection_limits_follower::apply(const metadata::metadata_image& image) {
    const controller::broker_layers layers =
        controller::broker_layers::of(image, node_id_, statics_);
    std::string text = overrides_of(layers);
    if (text != overrides_text_ && text != rejected_text_) {
        try {
            overrides_ = net::parse_per_ip_overrides(text);
            overrides_text_ = std::move(text);
        } catch (const std::invalid_argument& e) {
            rejected_text_ = text;  // warned once, not on every later image
            get_logger("kafka")->warn("max.connections.per.ip.overrides '{}' not applied: {}", text,
                                      e.what());
        }
    }
    net::connection_limits next{limit_of("max.connections", layers),
                                limit_of("max.connections.per.ip", layers), overrides_};
    if (next.max_per_ip == 0 && next.per_ip_overrides.empty()) {
        if (!lockout_warned_) {
            get_logger("kafka")->warn(
                "max.connections.per.ip 0 without max.connections.per.ip.overrides not applied: "
                "no address could connect");
        }
        lockout_warned_ = true;
        return;
    }
    lockout_warned_ = false;
    if (next == applied_) return;
    get_logger("kafka")->info(
        "connection limits now: max.connections {}, max.connections.per.ip {}, {} overrides",
        next.max_connections, next.max_per_ip, next.per_ip_overrides.size());
    applied_ = next;
    if (net_ != nullptr) net_->set_limits(std::move(next));
}

}  // namespace eddy::server
