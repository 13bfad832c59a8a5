// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "message_ops.h"

#include "eddy/codec/reader.h"
#include "eddy/codec/writer.h"
#include "eddy/msg/registry.h"
#include "eddy/msg_test/fill.h"

namespace eddy::codec_test {
namespace {

template <class T>
roundtrip_outcome roundtrip(rng& g, int16_t version) {
    T original;
    msg_test::fill_random(original, g, version);
    roundtrip_outcome out;
    codec::writer w(out.bytes);
    original.write(w, version);
    out.declared_size = original.size(version);
    T decoded;
    codec::reader r(out.bytes.data(), out.bytes.size());
    out.read_ok = decoded.read(r, version);
    out.left_unread = r.remaining();
    out.equal = decoded == original;
    codec::writer w2(out.again);
    decoded.write(w2, version);
    return out;
}

template <class T>
std::vector<uint8_t> encode_random(rng& g, int16_t version) {
    T m;
    msg_test::fill_random(m, g, version);
    std::vector<uint8_t> bytes;
    codec::writer w(bytes);
    m.write(w, version);
    return bytes;
}

template <class T>
bool decodes(const uint8_t* data, size_t len, int16_t version) {
    T m;
    codec::reader r(data, len);
    return m.read(r, version);
}

}  // namespace

const std::vector<message_ops>& every_message() {
    static const std::vector<message_ops> all = [] {
        std::vector<message_ops> ops;
        msg::for_each_message([&]<class T>() {
            ops.push_back({T::schema_name, T::min_version, T::max_version, &roundtrip<T>,
                           &encode_random<T>, &decodes<T>});
        });
        return ops;
    }();
    return all;
}

}  // namespace eddy::codec_test
