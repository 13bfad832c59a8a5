// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "metadata/metadata_record.h"

#ifdef EDDY_HAVE_CODEC_FILL
#include "eddy/msg_test/fill.h"
#endif

using namespace eddy;
using metadata::decode_metadata_record;
using metadata::encode_metadata_record;
using metadata::versioned_record;

TEST_SUITE("metadata.record") {
    TEST_CASE("a TopicRecord is framed as frame version, api key, version, then the body") {
        msg::topic_record t;
        t.name = "foo";
        t.topic_id.bytes[0] = 0xAB;
        t.topic_id.bytes[15] = 0x01;
        std::vector<uint8_t> bytes = encode_metadata_record(metadata::make_record(t));
        std::vector<uint8_t> expected = {0x01, 0x02, 0x00,  // frame 1, TopicRecord (2), v0
                                         0x04, 'f', 'o', 'o', 0xAB};
        expected.insert(expected.end(), 14, 0x00);
        expected.push_back(0x01);
        expected.push_back(0x00);  // no tagged fields
        CHECK(bytes == expected);
        CHECK(bytes.size() == metadata::metadata_record_size(metadata::make_record(t)));
    }

    TEST_CASE("records are written in the versions Kafka 3.9 writes at metadata.version 3.9-IV0") {
        CHECK(metadata::make_record(msg::register_broker_record{}).version == 3);
        CHECK(metadata::make_record(msg::partition_record{}).version == 1);
        CHECK(metadata::make_record(msg::partition_change_record{}).version == 1);
        CHECK(metadata::make_record(msg::topic_record{}).version == 0);
        CHECK(metadata::make_record(msg::config_record{}).version == 0);
        CHECK(metadata::make_record(msg::feature_level_record{}).version == 0);
        CHECK(metadata::make_record(msg::producer_ids_record{}).version == 0);
        CHECK(metadata::make_record(msg::remove_topic_record{}).version == 0);
    }

    TEST_CASE("a framed record decodes to the same record and version") {
        msg::partition_record p;
        p.partition_id = 7;
        p.topic_id.bytes[3] = 9;
        p.replicas = {1, 2, 3};
        p.isr = {1, 2};
        p.leader = 1;
        p.leader_epoch = 4;
        p.partition_epoch = 5;
        p.directories = {codec::uuid{}, codec::uuid{}, codec::uuid{}};
        versioned_record in = metadata::make_record(p);
        auto out = decode_metadata_record(encode_metadata_record(in));
        REQUIRE(out.record.has_value());
        CHECK(*out.record == in);
        CHECK(metadata::api_key_of(out.record->record) == msg::partition_record::api_key);
    }

    TEST_CASE("a record in a version its schema lacks is refused") {
        std::vector<uint8_t> bytes = encode_metadata_record(metadata::make_record(msg::topic_record{}));
        bytes[2] = 0x01;  // TopicRecord has only version 0
        CHECK_FALSE(decode_metadata_record(bytes).record.has_value());
    }

    TEST_CASE("frame version 0 and unknown frame versions are refused") {
        std::vector<uint8_t> bytes = encode_metadata_record(metadata::make_record(msg::topic_record{}));
        bytes[0] = 0x00;
        auto r = decode_metadata_record(bytes);
        CHECK_FALSE(r.record.has_value());
        CHECK(r.error.find("frame version") != std::string::npos);
        bytes[0] = 0x02;
        CHECK_FALSE(decode_metadata_record(bytes).record.has_value());
    }

    TEST_CASE("an unknown record type is refused") {
        std::vector<uint8_t> bytes = {0x01, 0x3f, 0x00, 0x00};
        auto r = decode_metadata_record(bytes);
        CHECK_FALSE(r.record.has_value());
        CHECK(r.error.find("unknown metadata record type 63") != std::string::npos);
    }

    TEST_CASE("bytes after the record body are refused as garbage") {
        std::vector<uint8_t> bytes =
            encode_metadata_record(metadata::make_record(msg::remove_topic_record{}));
        bytes.push_back(0x00);
        auto r = decode_metadata_record(bytes);
        CHECK_FALSE(r.record.has_value());
        CHECK(r.error.find("garbage") != std::string::npos);
    }

    TEST_CASE("every truncation of a framed record is refused, never read past its end") {
        msg::register_broker_record b;
        b.broker_id = 3;
        b.broker_epoch = 12;
        b.end_points.push_back({"PLAINTEXT", "localhost", 9092, 0, {}});
        b.rack = "r1";
        b.log_dirs = {codec::uuid{}};
        std::vector<uint8_t> bytes = encode_metadata_record(metadata::make_record(b));
        for (size_t n = 0; n < bytes.size(); ++n) {
            std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
            CHECK_FALSE(decode_metadata_record(cut).record.has_value());
        }
        CHECK(decode_metadata_record(bytes).record.has_value());
    }

    TEST_CASE("frame_records frames each record in order") {
        std::vector<versioned_record> records = {
            metadata::make_record(msg::feature_level_record{"metadata.version", 21, {}}),
            metadata::make_record(msg::topic_record{"t", {}, {}}),
        };
        auto frames = metadata::frame_records(records);
        REQUIRE(frames.size() == 2);
        CHECK(frames[0] == encode_metadata_record(records[0]));
        CHECK(frames[1] == encode_metadata_record(records[1]));
    }

#ifdef EDDY_HAVE_CODEC_FILL
    TEST_CASE("every metadata record type round-trips through its frame in every version") {
        codec_test::rng g(42);
        auto check_type = [&]<class T>() {
            for (int16_t v = T::min_version; v <= T::max_version; ++v) {
                for (int i = 0; i < 20; ++i) {
                    T rec;
                    msg_test::fill_random(rec, g, v);
                    versioned_record in{metadata::metadata_record{rec}, v};
                    auto frame = encode_metadata_record(in);
                    CHECK(frame.size() == metadata::metadata_record_size(in));
                    auto out = decode_metadata_record(frame);
                    REQUIRE_MESSAGE(out.record.has_value(), T::schema_name, " v", v, ": ", out.error);
                    // Re-encoding what was decoded gives the same bytes (fields absent from a
                    // version keep their defaults, so compare frames, not structs).
                    CHECK(encode_metadata_record(*out.record) == frame);
                }
            }
        };
        [&]<size_t... I>(std::index_sequence<I...>) {
            (check_type.template operator()<std::variant_alternative_t<I, metadata::metadata_record>>(),
             ...);
        }(std::make_index_sequence<std::variant_size_v<metadata::metadata_record>>{});
    }
#endif
}
