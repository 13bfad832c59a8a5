// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/api_versions.h"

#include <string_view>

#include "broker/handlers/group_routing.h"
#include "broker/handlers/registry.h"
#include "eddy/error_code.h"
#include "metadata/metadata_record.h"

namespace eddy::broker {
namespace {

// Kafka's pattern for client software name and version (KIP-511):
// [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
bool valid_software_token(std::string_view s) {
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
    for (char c : s)
        if (!alnum(c) && c != '-' && c != '.') return false;
    return true;
}

// metadata.version: Eddy writes only 3.9-IV0 records, so that is the one level it supports
// (the range its broker registration gives, controller::register_broker), and the level
// the controller finalizes when it formats the metadata log (controller::bootstrap_records)
// and never changes (UpdateFeatures is not served). kraft.version 0-1 is the other
// production feature of Kafka 3.9.
constexpr int16_t metadata_version_level = metadata::metadata_version_3_9_iv0;
constexpr int16_t kraft_version_max = 1;
// Finalized features are valid only with an epoch >= 0.
constexpr int64_t finalized_features_epoch = 0;

}  // namespace

api_versions_handler::response api_versions_handler::handle(request_context& ctx, request&& req) {
    response resp;
    if (ctx.api_version >= 3 && (!valid_software_token(req.client_software_name) ||
                                 !valid_software_token(req.client_software_version))) {
        // Kafka's error reply: no api keys, just the code.
        resp.error_code = wire_code(error_code::invalid_request);
        return resp;
    }
    // The KIP-848 apis are shown only when consumer groups are enabled, so a client that
    // prefers them falls back to the classic protocol otherwise.
    const bool consumer_groups = consumer_protocol_enabled(ctx);
    auto kip848 = [](int16_t key) {
        return key == static_cast<int16_t>(consumer_group_heartbeat_handler::key) ||
               key == static_cast<int16_t>(consumer_group_describe_handler::key);
    };
    for (const api_support& api : supported_apis) {
        if (!consumer_groups && kip848(api.key)) continue;
        resp.api_keys.push_back({.api_key = api.key,
                                 .min_version = api.supported.min,
                                 .max_version = api.supported.max,
                                 .unknown_tagged_fields = {}});
    }
    // Before v4 a feature whose minimum is 0 is left out: older clients fail to
    // parse it (KAFKA-17492).
    resp.supported_features.push_back({.name = "metadata.version",
                                       .min_version = metadata_version_level,
                                       .max_version = metadata_version_level,
                                       .unknown_tagged_fields = {}});
    if (ctx.api_version >= 4) {
        resp.supported_features.push_back({.name = "kraft.version",
                                           .min_version = 0,
                                           .max_version = kraft_version_max,
                                           .unknown_tagged_fields = {}});
    }
    resp.finalized_features_epoch = finalized_features_epoch;
    resp.finalized_features.push_back({.name = "metadata.version",
                                       .max_version_level = metadata_version_level,
                                       .min_version_level = metadata_version_level,
                                       .unknown_tagged_fields = {}});
    return resp;
}

api_versions_handler::response api_versions_handler::unsupported_version_reply() {
    response resp;
    resp.error_code = wire_code(error_code::unsupported_version);
    resp.api_keys.push_back({.api_key = static_cast<int16_t>(key),
                             .min_version = supported.min,
                             .max_version = supported.max,
                             .unknown_tagged_fields = {}});
    return resp;
}

}  // namespace eddy::broker
