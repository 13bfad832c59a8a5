// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "eddy/codec/reader.h"
#include "raft/batch_codec.h"

using namespace eddy;

namespace {

record::batch_view only_batch(const std::vector<uint8_t>& bytes) {
    record::batch_scanner scanner(bytes.data(), bytes.size());
    record::batch_view view;
    REQUIRE(scanner.next(view) == record::scan_status::ok);
    CHECK(scanner.position() == bytes.size());
    return view;
}

}  // namespace

TEST_SUITE("raft.batch_codec") {
    TEST_CASE("a data batch holds null-keyed records with the given values and a valid CRC") {
        std::vector<std::vector<uint8_t>> values = {{1, 2, 3}, {}, std::vector<uint8_t>(300, 7)};
        auto bytes = raft::encode_data_batch({0, 5, 1234, false}, values);
        record::batch_view view = only_batch(bytes);
        CHECK(view.crc_ok());
        CHECK(view.partition_leader_epoch() == 5);
        CHECK(view.records_count() == 3);
        CHECK(view.last_offset_delta() == 2);
        CHECK(view.max_timestamp() == 1234);
        CHECK(view.producer_id() == -1);
        CHECK_FALSE(view.is_control());
        std::string error;
        auto decoded = raft::decode_batch(view, error);
        REQUIRE_MESSAGE(decoded, error);
        REQUIRE(decoded->records.size() == 3);
        for (size_t i = 0; i < values.size(); ++i) {
            CHECK_FALSE(decoded->records[i].key.has_value());
            CHECK(decoded->records[i].value == values[i]);
        }
    }

    TEST_CASE("a leader change is a control batch keyed LEADER_CHANGE with the message as value") {
        msg::leader_change_message m;
        m.leader_id = 1;
        m.voters.push_back({1, {}, {}});
        m.granting_voters.push_back({1, {}, {}});
        auto bytes = raft::encode_leader_change_batch({0, 2, 0, true}, m);
        record::batch_view view = only_batch(bytes);
        CHECK(view.is_control());
        std::string error;
        auto decoded = raft::decode_batch(view, error);
        REQUIRE(decoded);
        REQUIRE(decoded->records.size() == 1);
        CHECK(*decoded->records[0].key == std::vector<uint8_t>{0, 0, 0, 2});
        msg::leader_change_message back;
        codec::reader r(decoded->records[0].value.data(), decoded->records[0].value.size());
        REQUIRE(back.read(r, 0));
        CHECK(back == m);
    }
}
