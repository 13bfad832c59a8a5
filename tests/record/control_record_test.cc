// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "record/batch.h"
#include "record/control_record.h"
#include "record/endian.h"
#include "record/validate.h"

namespace eddy::record {

TEST_SUITE("record.control") {
    TEST_CASE("a commit marker is one transactional control record Kafka can read") {
        txn_marker m{.producer_id = 4001, .producer_epoch = 7, .coordinator_epoch = 12, .commit = true};
        std::vector<uint8_t> bytes = encode_marker_batch(m, 3, 1700000000000);
        batch_scanner scan(bytes.data(), bytes.size());
        batch_view b;
        REQUIRE(scan.next(b) == scan_status::ok);  // whole, CRC correct
        CHECK(b.is_control());
        CHECK(b.is_transactional());
        CHECK(b.compression_type() == compression::none);
        CHECK(b.records_count() == 1);
        CHECK(b.producer_id() == 4001);
        CHECK(b.producer_epoch() == 7);
        CHECK(b.base_sequence() == no_sequence);
        CHECK(b.partition_leader_epoch() == 3);
        CHECK(b.max_timestamp() == 1700000000000);

        std::optional<txn_marker> read = read_marker(b);
        REQUIRE(read);
        CHECK(read->producer_id == 4001);
        CHECK(read->producer_epoch == 7);
        CHECK(read->coordinator_epoch == 12);
        CHECK(read->commit);
    }

    TEST_CASE("an abort marker reads back as an abort") {
        std::vector<uint8_t> bytes =
            encode_marker_batch({.producer_id = 9, .producer_epoch = 0, .coordinator_epoch = 0}, -1, 5);
        batch_view b(bytes.data(), bytes.size());
        std::optional<txn_marker> read = read_marker(b);
        REQUIRE(read);
        CHECK_FALSE(read->commit);
    }

    TEST_CASE("an unknown control type or a data batch is not a marker") {
        std::vector<uint8_t> bytes = encode_marker_batch({.producer_id = 9, .commit = true}, 0, 5);
        batch_view b(bytes.data(), bytes.size());
        // The record: length varint, attributes, timestamp delta, offset delta, key length
        // varint (4 -> 0x08), then the key {version, type}.
        uint8_t* key = bytes.data() + batch_header_size + 5;
        REQUIRE(be::load16(key) == 0);
        be::store16(key + 2, 7);  // a ControlRecordType Kafka does not define
        CHECK_FALSE(read_marker(b));
        be::store16(key + 2, 1);
        CHECK(read_marker(b));
        be::store16(bytes.data() + field::attributes, attr::transactional);  // no control bit
        CHECK_FALSE(read_marker(b));
    }
}

}  // namespace eddy::record
