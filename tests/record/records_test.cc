// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "batch_builder.h"
#include "record/records.h"

namespace eddy::record {
namespace {

record_status read_all(const std::vector<uint8_t>& bytes, int32_t count, int32_t* n = nullptr) {
    record_reader r(bytes.data(), bytes.size(), count);
    record_view v;
    record_status s;
    while ((s = r.next(v)) == record_status::ok) {
    }
    if (n) *n = r.read();
    return s;
}

test::test_batch rich() {
    test::test_batch b;
    b.records.push_back({"key", "value", 0, {{"h1", "v1"}, {"h2", std::nullopt}}});
    b.records.push_back({std::nullopt, "no key", 5});
    b.records.push_back({"tombstone", std::nullopt, -3});
    b.records.push_back({"", "", 1'000'000'000'000});
    return b;
}

}  // namespace

TEST_SUITE("record.records") {
    TEST_CASE("records decode keys, values, nulls, timestamps and headers as views") {
        auto bytes = test::encode_records(rich());
        record_reader r(bytes.data(), bytes.size(), 4);
        record_view v;
        REQUIRE(r.next(v) == record_status::ok);
        CHECK(v.key.str() == "key");
        CHECK(v.value.str() == "value");
        CHECK(v.offset_delta == 0);
        CHECK(v.header_count == 2);
        CHECK(v.key.data >= bytes.data());
        CHECK(v.key.data < bytes.data() + bytes.size());
        header_reader h = v.headers();
        header_view hv;
        REQUIRE(h.next(hv));
        CHECK(hv.key.str() == "h1");
        CHECK(hv.value.str() == "v1");
        REQUIRE(h.next(hv));
        CHECK(hv.key.str() == "h2");
        CHECK(hv.value.is_null());
        CHECK_FALSE(h.next(hv));

        REQUIRE(r.next(v) == record_status::ok);
        CHECK(v.key.is_null());
        CHECK(v.timestamp_delta == 5);
        CHECK(v.offset_delta == 1);
        REQUIRE(r.next(v) == record_status::ok);
        CHECK(v.value.is_null());
        CHECK(v.timestamp_delta == -3);
        REQUIRE(r.next(v) == record_status::ok);
        CHECK_FALSE(v.key.is_null());
        CHECK(v.key.size == 0);
        CHECK(v.timestamp_delta == 1'000'000'000'000);
        CHECK(r.next(v) == record_status::end);
        CHECK(r.read() == 4);
    }

    TEST_CASE("a declared count above the records present is malformed") {
        auto bytes = test::encode_records(rich());
        int32_t n = 0;
        CHECK(read_all(bytes, 5, &n) == record_status::malformed);
        CHECK(n == 4);
        CHECK(read_all(bytes, INT32_MAX) == record_status::malformed);
    }

    TEST_CASE("bytes left after the declared count are malformed") {
        auto bytes = test::encode_records(rich());
        CHECK(read_all(bytes, 3) == record_status::malformed);
        CHECK(read_all(bytes, 0) == record_status::malformed);
    }

    TEST_CASE("a negative record count is malformed") {
        auto bytes = test::encode_records(rich());
        CHECK(read_all(bytes, -1) == record_status::malformed);
    }

    TEST_CASE("every truncation of the records is malformed, never a crash") {
        auto bytes = test::encode_records(rich());
        for (size_t cut = 0; cut < bytes.size(); ++cut) {
            std::vector<uint8_t> part(bytes.begin(), bytes.begin() + static_cast<long>(cut));
            CHECK(read_all(part, 4) == record_status::malformed);
        }
    }

    TEST_CASE("a record length that lies either way is malformed") {
        test::test_batch t;
        t.records.push_back({"k", "v"});
        auto bytes = test::encode_records(t);
        auto longer = bytes;
        longer[0] += 2;  // small body: the length is one varint byte (zig-zag, so +1)
        CHECK(read_all(longer, 1) == record_status::malformed);
        auto shorter = bytes;
        shorter[0] -= 2;
        CHECK(read_all(shorter, 1) == record_status::malformed);
    }

    TEST_CASE("a varint that does not end within five bytes is malformed") {
        std::vector<uint8_t> bytes = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
        CHECK(read_all(bytes, 1) == record_status::malformed);
    }

    TEST_CASE("a null header key is malformed") {
        test::test_batch t;
        t.records.push_back({"k", "v", 0, {{"h", "v"}}});
        auto bytes = test::encode_records(t);
        // length, attributes, ts, offset, key (2), value (2), header count: the header key length is byte 9
        REQUIRE(bytes[9] == 2);  // zig-zag 1
        bytes[9] = 1;             // zig-zag -1
        CHECK(read_all(bytes, 1) == record_status::malformed);
    }

    TEST_CASE("a header count beyond the record is malformed") {
        test::test_batch t;
        t.records.push_back({"k", "v"});
        auto bytes = test::encode_records(t);
        bytes.back() = 0x7E;  // 63 headers in a record with no bytes left
        CHECK(read_all(bytes, 1) == record_status::malformed);
        bytes.back() = 0x01;  // -1 headers
        CHECK(read_all(bytes, 1) == record_status::malformed);
    }

    TEST_CASE("compressed batch records are read from the caller's scratch buffer, reused") {
        byte_buffer scratch;
        for (compression c : {compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
            CAPTURE(to_string(c));
            test::test_batch t = rich();
            t.codec = c;
            auto bytes = test::build_batch(t);
            batch_view b(bytes.data(), bytes.size());
            record_bytes rb = batch_records(b, scratch, 1 << 20);
            REQUIRE(rb.status == codec_status::ok);
            CHECK(rb.data == scratch.data());
            CHECK(std::vector<uint8_t>(rb.data, rb.data + rb.size) == test::encode_records(t));
            record_reader r(rb.data, rb.size, b.records_count());
            record_view v;
            int n = 0;
            while (r.next(v) == record_status::ok) ++n;
            CHECK(n == 4);
        }
        CHECK(scratch.capacity() == 64 * 1024);  // one allocation served all four
    }

    TEST_CASE("uncompressed batch records are the batch's own bytes") {
        auto bytes = test::build_batch(rich());
        batch_view b(bytes.data(), bytes.size());
        byte_buffer scratch;
        record_bytes rb = batch_records(b, scratch, 0);
        REQUIRE(rb.status == codec_status::ok);
        CHECK(rb.data == bytes.data() + batch_header_size);
        CHECK(scratch.capacity() == 0);
    }
}

}  // namespace eddy::record
