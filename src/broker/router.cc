// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/router.h"

#include "broker/handlers/registry.h"
#include "broker/logger.h"
#include "broker/request_decoder.h"
#include "common/log_text.h"
#include "eddy/codec/writer.h"
#include "eddy/msg/registry.h"
#include "eddy/msg/response_header.h"

#include <type_traits>

namespace eddy::broker {
namespace {

template <class Response>
routed_reply encode(const request_context& ctx, int16_t body_version, const Response& body) {
    msg::response_header header;
    header.correlation_id = ctx.correlation_id;
    int16_t header_version = msg::response_header_version(ctx.api_key, ctx.api_version);
    routed_reply out;
    out.bytes.reserve(header.size(header_version) + body.size(body_version));
    codec::writer w(out.bytes);
    header.write(w, header_version);
    body.write(w, body_version);
    return out;
}

routed_reply close_reply() { return {routed_reply::action::close, {}, {}}; }

template <class Handler>
using handler_result_t = decltype(Handler::handle(std::declval<request_context&>(),
                                                  std::declval<typename Handler::request&&>()));

// Decodes the body for Handler and runs it. A handler returns either its response
// or an awaitable of it (when it must wait on another executor).
template <class Handler>
asio::awaitable<routed_reply> dispatch(request_context ctx, codec::reader body) {
    typename Handler::request request;
    if (!request.read(body, ctx.api_version) || !body.ok()) {
        kafka_log().warn("malformed {} v{} request from {} (client id '{}'); closing",
                         static_cast<int16_t>(Handler::key), ctx.api_version,
                         ctx.client->remote_address, log_text(ctx.client_id));
        co_return close_reply();
    }
    if constexpr (requires(const request_context& c, const typename Handler::result_type& r) {
                      Handler::write_response(c, r);
                  }) {
        // The handler encodes its own reply, keeping record bytes in files (Fetch).
        typename Handler::result_type result = co_await Handler::handle(ctx, std::move(request));
        sliced_response sliced = Handler::write_response(ctx, result);
        routed_reply out;
        out.pieces = std::move(sliced.pieces);
        co_return out;
    } else if constexpr (requires(const typename Handler::request& q,
                                  const typename Handler::response& r) {
                             Handler::reply_action(q, r);
                         }) {
        // Some requests get no answer, or a closed connection (Produce with acks=0). The
        // request's decoded fields stay readable: only its records were handed over.
        typename Handler::response response = co_await Handler::handle(ctx, std::move(request));
        routed_reply::action what = Handler::reply_action(request, response);
        if (what != routed_reply::action::send) co_return routed_reply{what, {}, {}};
        co_return encode(ctx, ctx.api_version, response);
    } else if constexpr (std::is_same_v<handler_result_t<Handler>, typename Handler::response>) {
        co_return encode(ctx, ctx.api_version, Handler::handle(ctx, std::move(request)));
    } else {
        typename Handler::response response = co_await Handler::handle(ctx, std::move(request));
        co_return encode(ctx, ctx.api_version, response);
    }
}

using dispatch_fn = asio::awaitable<routed_reply> (*)(request_context, codec::reader);

template <class... Handlers>
dispatch_fn find_dispatch(int16_t key, handler_list<Handlers...>) {
    dispatch_fn fn = nullptr;
    ((static_cast<int16_t>(Handlers::key) == key ? (fn = &dispatch<Handlers>, 0) : 0), ...);
    return fn;
}

}  // namespace

asio::awaitable<routed_reply> router::handle(std::shared_ptr<const client_info> client,
                                             frame_bytes frame) const {
    msg::request_header header;
    codec::reader body;
    decode_status st = decode_header(frame.data(), frame.size(), header, body);
    if (st == decode_status::malformed || st == decode_status::unknown_api) {
        // Kafka closes the connection when it cannot parse a request header.
        kafka_log().warn("{} request header from {}; closing", to_string(st),
                         client->remote_address);
        co_return close_reply();
    }

    request_context ctx;
    ctx.api_key = header.request_api_key;
    ctx.api_version = header.request_api_version;
    ctx.correlation_id = header.correlation_id;
    ctx.client_id = header.client_id.value_or(std::string());
    ctx.client = std::move(client);
    ctx.broker = broker_;

    const api_support* support = find_supported(ctx.api_key);
    if (ctx.api_key == static_cast<int16_t>(api_versions_handler::key) &&
        !support->supported.contains(ctx.api_version)) {
        // A client opens with the newest ApiVersions it knows; answer in v0 so it
        // can read the reply and retry within our range. The body is not parsed.
        request_context v0 = ctx;
        v0.api_version = 0;
        co_return encode(v0, 0, api_versions_handler::unsupported_version_reply());
    }
    if (support == nullptr || !support->supported.contains(ctx.api_version)) {
        // Kafka closes the connection for an api or version it has not enabled.
        kafka_log().warn("api key {} v{} from {} (client id '{}') is not served; closing",
                         ctx.api_key, ctx.api_version, ctx.client->remote_address,
                         log_text(ctx.client_id));
        co_return close_reply();
    }
    dispatch_fn fn = find_dispatch(ctx.api_key, registered_handlers{});
    co_return co_await fn(std::move(ctx), body);
}

}  // namespace eddy::broker
