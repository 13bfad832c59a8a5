// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Batches written by real clients (librdkafka via kcat, kafka-python), captured once
// by data/make_reference_batches.py.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "batch_builder.h"
#include "record/crc32c.h"
#include "record/records.h"
#include "record/validate.h"

namespace eddy::record {
namespace {

std::vector<uint8_t> load(const std::string& name) {
    // Appended in steps: GCC 12 warns (-Warray-bounds, wrongly) on a chain of
    // operator+ that starts from a temporary string.
    std::string path = EDDY_RECORD_TEST_DATA;
    path += '/';
    path += name;
    std::ifstream f(path);
    REQUIRE(f.good());
    std::stringstream ss;
    ss << f.rdbuf();
    return test::from_hex(ss.str());
}

struct reference {
    const char* file;
    compression codec;
};

constexpr reference references[] = {
    {"librdkafka-none.hex", compression::none},     {"librdkafka-gzip.hex", compression::gzip},
    {"librdkafka-snappy.hex", compression::snappy}, {"librdkafka-lz4.hex", compression::lz4},
    {"librdkafka-zstd.hex", compression::zstd},     {"kafka-python-none.hex", compression::none},
    {"kafka-python-gzip.hex", compression::gzip},
};

}  // namespace

TEST_SUITE("record.reference") {
    TEST_CASE("batches from librdkafka and kafka-python pass validation in every codec") {
        for (const reference& ref : references) {
            CAPTURE(ref.file);
            auto bytes = load(ref.file);
            batch_view b(bytes.data(), bytes.size());
            REQUIRE(bytes.size() >= batch_header_size);
            CHECK(b.magic() == 2);
            CHECK(b.compression_type() == ref.codec);
            CHECK(b.crc_ok());
            const uint8_t* covered = bytes.data() + field::attributes;
            size_t n = bytes.size() - field::attributes;
            CHECK(crc32c_portable(covered, n) == b.crc());

            produce_options o;
            o.now_ms = b.max_timestamp();
            byte_buffer scratch;
            produce_validation r = validate_produce_batches(bytes.data(), bytes.size(), o, scratch);
            REQUIRE(r.ok());
            CHECK(r.record_count == 10);
            CHECK(r.valid_bytes == bytes.size());
            CHECK(r.batch.codec == ref.codec);
        }
    }

    TEST_CASE("records of client batches read back as the keys, values and headers sent") {
        byte_buffer scratch;
        for (const reference& ref : references) {
            CAPTURE(ref.file);
            auto bytes = load(ref.file);
            batch_view b(bytes.data(), bytes.size());
            record_bytes rb = batch_records(b, scratch, 1 << 20);
            REQUIRE(rb.status == codec_status::ok);
            record_reader reader(rb.data, rb.size, b.records_count());
            record_view v;
            int i = 0;
            while (reader.next(v) == record_status::ok) {
                CHECK(v.offset_delta == i);
                CHECK(v.key.str() == "key-" + std::to_string(i));
                CHECK(v.value.str() == "value-" + std::to_string(i) + "-" + std::string(i * 7, 'x'));
                REQUIRE(v.header_count == 1);
                header_reader h = v.headers();
                header_view hv;
                REQUIRE(h.next(hv));
                CHECK(hv.key.str() == "h1");
                CHECK(hv.value.str() == "v1");
                ++i;
            }
            CHECK(reader.next(v) == record_status::end);
            CHECK(i == 10);
        }
    }

    TEST_CASE("librdkafka's snappy is a raw block and its lz4 a frame") {
        auto snappy = load("librdkafka-snappy.hex");
        CHECK(snappy[batch_header_size] != 0x82);  // no xerial magic
        auto lz4 = load("librdkafka-lz4.hex");
        CHECK(lz4[batch_header_size] == 0x04);  // frame magic 0x184D2204, little-endian
        CHECK(lz4[batch_header_size + 3] == 0x18);
    }

    TEST_CASE("every truncation of a client batch is incomplete for the scanner") {
        for (const reference& ref : references) {
            CAPTURE(ref.file);
            auto bytes = load(ref.file);
            for (size_t cut = 1; cut < bytes.size(); ++cut) {
                batch_scanner scan(bytes.data(), cut);
                batch_view v;
                CHECK(scan.next(v) == scan_status::incomplete);
            }
        }
    }
}

}  // namespace eddy::record
