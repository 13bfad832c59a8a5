// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// DescribeLogDirs (key 35), versions 0-4: each log dir with the partitions it holds and
// their sizes on disk, and (v4) its file system's total and usable bytes
// (kafka-log-dirs.sh --describe, Admin.describeLogDirs).
#pragma once

#include <asio/awaitable.hpp>

#include "broker/request_context.h"
#include "broker/version_range.h"
#include "cluster/replica_manager.h"
#include "eddy/msg/api_key.h"
#include "eddy/msg/describe_log_dirs_request.h"
#include "eddy/msg/describe_log_dirs_response.h"

namespace eddy::broker {

struct describe_log_dirs_handler {
    using request = msg::describe_log_dirs_request;
    using response = msg::describe_log_dirs_response;
    static constexpr msg::api_key key = msg::api_key::describe_log_dirs;
    static constexpr version_range supported{0, 4};

    static asio::awaitable<response> handle(request_context& ctx, request&& req) {
        return handle(*ctx.broker->replicas, ctx, std::move(req));
    }
    static asio::awaitable<response> handle(cluster::replica_manager& replicas,
                                            request_context& ctx, request&& req);
};

}  // namespace eddy::broker
