// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// TransactionLog records: bytes as Kafka writes them, decoding, and the state machine.
#include <doctest/doctest.h>

#include "txn/txn_metadata.h"
#include "txn/txn_records.h"

using namespace eddy::txn;

namespace {
std::optional<txn_record_event> decode(const txn_record& r) {
    std::optional<std::span<const uint8_t>> value;
    if (r.value) value = std::span<const uint8_t>(*r.value);
    return decode_txn_record(r.key, value);
}
}  // namespace

TEST_CASE("txn: key is TransactionLogKey v0: int16 version then the id as a string") {
    const auto r = txn_tombstone("tx");
    CHECK(r.key == std::vector<uint8_t>{0, 0, 0, 2, 't', 'x'});
    CHECK_FALSE(r.value.has_value());
    auto e = decode(r);
    REQUIRE(e);
    CHECK(e->transactional_id == "tx");
    CHECK_FALSE(e->value.has_value());
}

TEST_CASE("txn: Empty value v0 has a null partition list, byte for byte") {
    txn_metadata m;
    m.transactional_id = "t";
    m.producer_id = 5;
    m.producer_epoch = 3;
    m.timeout_ms = 60000;
    m.state = txn_state::empty;
    m.last_update_ms = 9;
    const auto r = txn_metadata_record(m);
    const std::vector<uint8_t> expected = {
        0, 0,                    // version 0
        0, 0, 0, 0, 0, 0, 0, 5,  // producer id
        0, 3,                    // epoch
        0, 0, 0xea, 0x60,        // timeout 60000
        0,                       // status Empty
        0xff, 0xff, 0xff, 0xff,  // null partitions
        0, 0, 0, 0, 0, 0, 0, 9,  // last update
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};  // start -1
    CHECK(*r.value == expected);
    auto e = decode(r);
    REQUIRE(e);
    REQUIRE(e->value);
    CHECK(e->value->same_durable_state(m));
}

TEST_CASE("txn: Ongoing values round-trip in v0 and v1, partitions grouped by topic") {
    txn_metadata m;
    m.transactional_id = "t";
    m.producer_id = 1;
    m.producer_epoch = 0;
    m.timeout_ms = 1000;
    m.state = txn_state::ongoing;
    m.partitions = {{"a", 0}, {"a", 2}, {"b", 1}};
    m.start_ms = 5;
    m.last_update_ms = 6;
    for (int16_t version : {0, 1}) {
        const auto r = txn_metadata_record(m, version);
        CHECK((*r.value)[1] == version);
        auto e = decode(r);
        REQUIRE(e);
        REQUIRE(e->value);
        CHECK(e->value->same_durable_state(m));
        CHECK(e->value->last_producer_epoch == no_producer_epoch);
    }
}

TEST_CASE("txn: garbage, unknown versions and unknown status bytes do not decode") {
    txn_metadata m;
    m.transactional_id = "t";
    auto r = txn_metadata_record(m);
    std::vector<uint8_t> value = *r.value;
    value[1] = 2;  // version 2 does not exist
    CHECK_FALSE(decode_txn_record(r.key, std::span<const uint8_t>(value)));
    value = *r.value;
    value[16] = 9;  // status byte
    CHECK_FALSE(decode_txn_record(r.key, std::span<const uint8_t>(value)));
    value.resize(5);
    CHECK_FALSE(decode_txn_record(r.key, std::span<const uint8_t>(value)));
    const std::vector<uint8_t> bad_key = {0, 1, 0, 1, 'x'};
    CHECK_FALSE(decode_txn_record(bad_key, std::nullopt));
}

TEST_CASE("txn: state names and Kafka's valid transitions") {
    CHECK(state_name(txn_state::prepare_epoch_fence) == "PrepareEpochFence");
    CHECK(state_from_name("CompleteAbort") == txn_state::complete_abort);
    CHECK_FALSE(state_from_name("completeabort"));
    using s = txn_state;
    CHECK(valid_transition(s::empty, s::ongoing));
    CHECK(valid_transition(s::complete_commit, s::ongoing));
    CHECK(valid_transition(s::ongoing, s::ongoing));
    CHECK(valid_transition(s::ongoing, s::prepare_commit));
    CHECK(valid_transition(s::prepare_epoch_fence, s::prepare_abort));
    CHECK(valid_transition(s::ongoing, s::prepare_epoch_fence));
    CHECK(valid_transition(s::complete_abort, s::dead));
    CHECK_FALSE(valid_transition(s::ongoing, s::empty));
    CHECK_FALSE(valid_transition(s::prepare_commit, s::prepare_abort));
    CHECK_FALSE(valid_transition(s::prepare_epoch_fence, s::prepare_commit));
    CHECK_FALSE(valid_transition(s::ongoing, s::dead));
    CHECK_FALSE(valid_transition(s::prepare_abort, s::complete_commit));
}
