// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "eddy/codec/reader.h"
#include "eddy/codec/writer.h"

using namespace eddy;

TEST_SUITE("codec.runtime") {
    TEST_CASE("varints use Kafka's zig-zag encoding and sizes match the bytes written") {
        for (int32_t v : {0, -1, 1, 63, -64, 64, 300, INT32_MAX, INT32_MIN}) {
            std::vector<uint8_t> out;
            codec::writer w(out);
            w.write_varint(v);
            CHECK(out.size() == codec::varint_size(v));
            codec::reader r(out.data(), out.size());
            CHECK(r.read_varint() == v);
            CHECK(r.ok());
        }
        for (int64_t v : {int64_t{0}, int64_t{-1}, INT64_MAX, INT64_MIN, int64_t{1} << 40}) {
            std::vector<uint8_t> out;
            codec::writer w(out);
            w.write_varlong(v);
            CHECK(out.size() == codec::varlong_size(v));
            codec::reader r(out.data(), out.size());
            CHECK(r.read_varlong() == v);
        }
    }

    TEST_CASE("an unsigned varint longer than five bytes is malformed") {
        std::vector<uint8_t> in{0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
        codec::reader r(in.data(), in.size());
        r.read_uvarint();
        CHECK_FALSE(r.ok());
    }

    TEST_CASE("a length longer than the remaining bytes fails before allocating") {
        std::vector<uint8_t> in{0x7f, 0xff, 0xff, 0xff, 'a'};  // int32 array count 2^31-1
        codec::reader r(in.data(), in.size());
        CHECK(r.read_array_length(false) == 0);
        CHECK_FALSE(r.ok());

        std::vector<uint8_t> s{0x00, 0x05, 'a', 'b'};  // string of 5 with 2 bytes behind it
        codec::reader rs(s.data(), s.size());
        CHECK(rs.read_string(false).empty());
        CHECK_FALSE(rs.ok());
    }

    TEST_CASE("null is -1 in classic encodings and 0 in compact ones") {
        std::vector<uint8_t> classic{0xff, 0xff};
        codec::reader r(classic.data(), classic.size());
        CHECK_FALSE(r.read_nullable_string(false).has_value());
        CHECK(r.ok());

        std::vector<uint8_t> compact{0x00};
        codec::reader rc(compact.data(), compact.size());
        CHECK_FALSE(rc.read_nullable_string(true).has_value());
        CHECK(rc.ok());
    }

    TEST_CASE("a null where the schema allows none is malformed") {
        std::vector<uint8_t> in{0xff, 0xff};
        codec::reader r(in.data(), in.size());
        r.read_string(false);
        CHECK_FALSE(r.ok());
    }

    TEST_CASE("lengths below -1 are malformed") {
        std::vector<uint8_t> in{0xff, 0xff, 0xff, 0xfe};
        codec::reader r(in.data(), in.size());
        r.read_bytes_length(false);
        CHECK_FALSE(r.ok());
    }
}
