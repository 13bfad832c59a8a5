// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "group/consumer_protocol.h"

#include "eddy/codec/reader.h"
#include "eddy/msg/consumer_protocol_subscription.h"

namespace eddy::group {

bool add_subscribed_topics(std::span<const uint8_t> metadata, std::set<std::string>& out) {
    codec::reader r(metadata.data(), metadata.size());
    const int16_t version = r.read_int16();
    if (!r.ok() || version < 0) return false;
    msg::consumer_protocol_subscription subscription;
    if (!subscription.read(r, 0)) return false;
    out.insert(subscription.topics.begin(), subscription.topics.end());
    return true;
}

}  // namespace eddy::group
