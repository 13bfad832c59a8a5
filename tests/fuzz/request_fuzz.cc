// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "request_fuzz.h"

#include "broker/request_decoder.h"
#include "eddy/codec/reader.h"
#include "eddy/codec/writer.h"
#include "eddy/msg/all.h"
#include "eddy/msg/registry.h"
#include "net/frame.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace eddy::fuzz {
namespace {

// Kafka's default socket.request.max.bytes; a larger frame closes the connection.
constexpr size_t max_frame_bytes = 100 * 1024 * 1024;

[[noreturn]] void oracle_failed(std::string_view what, std::string_view schema, int16_t version) {
    std::fprintf(stderr, "fuzz oracle: %.*s for %.*s v%d\n", static_cast<int>(what.size()),
                 what.data(), static_cast<int>(schema.size()), schema.data(), version);
    std::abort();
}

// A float64 field may hold a NaN, which never compares equal to itself; for the schemas
// with such fields the byte-level comparison below is the oracle.
template <class T>
bool compares_by_value() {
    return T::schema_name != "DescribeClientQuotasResponse" &&
           T::schema_name != "AlterClientQuotasRequest";
}

// Encodes a decoded message, decodes the encoding and encodes that again. The two decoded
// values must be equal and the two encodings identical: whatever write() drops or read()
// misreads shows up as a difference here.
template <class T>
void check_round_trip(const T& decoded, int16_t version) {
    std::vector<uint8_t> first;
    codec::writer w1(first);
    decoded.write(w1, version);
    if (first.size() != decoded.size(version))
        oracle_failed("size() differs from the bytes write() produced", T::schema_name, version);

    T again;
    codec::reader r(first.data(), first.size());
    if (!again.read(r, version))
        oracle_failed("re-encoded message does not decode", T::schema_name, version);
    if (r.remaining() != 0)
        oracle_failed("re-encoded message has bytes left over", T::schema_name, version);
    if (compares_by_value<T>() && !(again == decoded))
        oracle_failed("decoded value changed after a round trip", T::schema_name, version);

    std::vector<uint8_t> second;
    codec::writer w2(second);
    again.write(w2, version);
    if (second != first)
        oracle_failed("second encoding differs from the first", T::schema_name, version);
}

template <class T>
void decode_and_check(codec::reader r, int16_t version) {
    T message;
    if (message.read(r, version) && r.ok()) check_round_trip(message, version);
}

// One frame body: request header, then the request; and the same bytes read as a response.
// Returns what the broker's decoder must say about these bytes.
broker::decode_status fuzz_frame_body(const uint8_t* body, size_t size) {
    using broker::decode_status;
    codec::reader peek(body, size);
    int16_t api_key = peek.read_int16();
    int16_t api_version = peek.read_int16();
    if (!peek.ok()) return decode_status::malformed;

    decode_status expected = decode_status::unknown_api;
    msg::visit_api(api_key, [&]<class Req, class Resp>() {
        int16_t header_version = msg::request_header_version(api_key, api_version);
        codec::reader r(body, size);
        msg::request_header header;
        if (!header.read(r, header_version) || !r.ok()) {
            expected = decode_status::malformed;
            return;
        }
        check_round_trip(header, header_version);
        if (api_version < Req::min_version || api_version > Req::max_version) {
            expected = decode_status::unsupported_version;
            return;
        }
        Req request;
        if (!request.read(r, api_version) || !r.ok()) {
            expected = decode_status::malformed;
        } else {
            expected = decode_status::ok;
            check_round_trip(request, api_version);
        }

        codec::reader as_response(body, size);
        msg::response_header response_header;
        int16_t response_header_version = msg::response_header_version(api_key, api_version);
        if (!response_header.read(as_response, response_header_version)) return;
        check_round_trip(response_header, response_header_version);
        decode_and_check<Resp>(as_response, api_version);
    });
    if (expected == decode_status::unknown_api) {
        // An unknown api key still reaches the header decoder before it is rejected.
        decode_and_check<msg::request_header>(codec::reader(body, size), 1);
        decode_and_check<msg::request_header>(codec::reader(body, size), 2);
    }
    return expected;
}

// The broker's own decoder must classify the frame as the generated codec does.
void check_broker_decoder(const uint8_t* body, size_t size) {
    broker::decode_status expected = fuzz_frame_body(body, size);
    broker::decode_status actual = broker::decode_request(body, size);
    if (actual != expected) {
        std::fprintf(stderr, "broker::decode_request said %s, the codec says %s\n",
                     broker::to_string(actual), broker::to_string(expected));
        std::abort();
    }
}

}  // namespace

void fuzz_request_stream(const uint8_t* data, size_t size) {
    // Frames follow each other as on a connection. The broker's own frame check decides
    // where each ends; an invalid size closes the connection, a short frame waits for more.
    while (true) {
        net::frame_check frame = net::check_frame(data, size, max_frame_bytes);
        if (frame.st != net::frame_check::status::complete) return;
        if (4 + frame.body_size > size)
            oracle_failed("check_frame claims bytes that are not there", "frame", 0);
        check_broker_decoder(data + 4, frame.body_size);
        data += 4 + frame.body_size;
        size -= 4 + frame.body_size;
    }
}

}  // namespace eddy::fuzz
