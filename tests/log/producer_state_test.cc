// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Idempotent producer state: what a partition accepts, refuses and recognises as a retry,
// and what survives a snapshot.
#include <doctest/doctest.h>

#include <limits>
#include <vector>

#include "batch_builder.h"
#include "log/producer_snapshot.h"
#include "log/producer_state.h"

namespace eddy::log {
namespace {


constexpr int64_t day_ms = 86'400'000;
constexpr int64_t now = 1'700'000'000'000;

// A batch of `count` records of producer `pid` at `epoch`, sequences from `seq`.
std::vector<uint8_t> batch_of(int64_t pid, int16_t epoch, int32_t seq, int count = 3,
                              bool transactional = false) {
    return record::test::producer_batch(pid, epoch, seq, count, now, transactional);
}

record::batch_view view(const std::vector<uint8_t>& bytes) {
    return record::batch_view(bytes.data(), bytes.size());
}

// Appends one batch at `offset` the way the log does: check, then commit.
producer_error append(producer_state& state, const std::vector<uint8_t>& bytes, int64_t offset) {
    producer_append a(state, append_origin::client);
    producer_error e = a.add(view(bytes), offset);
    if (e == producer_error::none) {
        state.commit(std::move(a), offset + view(bytes).last_offset_delta() + 1);
    }
    return e;
}

}  // namespace

TEST_CASE("producer state: consecutive sequences are accepted, a gap is refused") {
    producer_state state(day_ms);
    CHECK(append(state, batch_of(7, 0, 0), 0) == producer_error::none);
    CHECK(append(state, batch_of(7, 0, 3), 3) == producer_error::none);
    CHECK(append(state, batch_of(7, 0, 7), 6) == producer_error::out_of_order_sequence);
    CHECK(append(state, batch_of(7, 0, 6), 6) == producer_error::none);
    REQUIRE(state.find(7));
    CHECK(state.find(7)->last_seq() == 8);
    CHECK(state.find(7)->last_offset() == 8);
    CHECK(state.map_end_offset() == 9);
}

TEST_CASE("producer state: a retried batch is found with its original offsets") {
    producer_state state(day_ms);
    for (int i = 0; i < 6; ++i) {
        REQUIRE(append(state, batch_of(7, 0, i * 3), 100 + i * 3) == producer_error::none);
    }
    // The last five batches are remembered; the first has been forgotten.
    const producer_batch* dup = state.find_duplicate(view(batch_of(7, 0, 15)));
    REQUIRE(dup);
    CHECK(dup->first_offset() == 115);
    CHECK(dup->last_offset == 117);
    CHECK(state.find_duplicate(view(batch_of(7, 0, 3))) != nullptr);
    CHECK(state.find_duplicate(view(batch_of(7, 0, 0))) == nullptr);
    // Same sequences under another epoch, or another range, are not retries.
    CHECK(state.find_duplicate(view(batch_of(7, 1, 15))) == nullptr);
    CHECK(state.find_duplicate(view(batch_of(7, 0, 15, 2))) == nullptr);
    CHECK(state.find_duplicate(view(batch_of(8, 0, 15))) == nullptr);
}

TEST_CASE("producer state: epochs fence older producers and restart sequences") {
    producer_state state(day_ms);
    REQUIRE(append(state, batch_of(7, 3, 0), 0) == producer_error::none);
    CHECK(append(state, batch_of(7, 2, 3), 3) == producer_error::invalid_producer_epoch);
    // A bumped epoch must start again at sequence 0.
    CHECK(append(state, batch_of(7, 4, 3), 3) == producer_error::out_of_order_sequence);
    CHECK(append(state, batch_of(7, 4, 0), 3) == producer_error::none);
    CHECK(state.find(7)->epoch == 4);
    CHECK(state.find(7)->size() == 1);
}

TEST_CASE("producer state: an unknown producer may start at any sequence") {
    // As Kafka: its earlier batches may have been removed by retention or DeleteRecords.
    producer_state state(day_ms);
    CHECK(append(state, batch_of(9, 0, 42), 0) == producer_error::none);
    CHECK(append(state, batch_of(9, 0, 46), 3) == producer_error::out_of_order_sequence);
    CHECK(append(state, batch_of(9, 0, 45), 3) == producer_error::none);
}

TEST_CASE("producer state: sequences wrap from 2^31-1 to 0") {
    constexpr int32_t max = std::numeric_limits<int32_t>::max();
    CHECK(batch_last_sequence(max - 1, 2) == 0);
    CHECK(batch_last_sequence(max, 0) == max);
    producer_state state(day_ms);
    REQUIRE(append(state, batch_of(7, 0, max - 1, 2), 0) == producer_error::none);
    CHECK(state.find(7)->last_seq() == max);
    CHECK(append(state, batch_of(7, 0, 0, 2), 2) == producer_error::none);
    REQUIRE(append(state, batch_of(7, 0, 2, 3), 4) == producer_error::none);
    // A batch spanning the wrap is found again by its range.
    producer_state wrapped(day_ms);
    REQUIRE(append(wrapped, batch_of(7, 0, max - 1, 4), 0) == producer_error::none);
    CHECK(wrapped.find(7)->last_seq() == 1);
    CHECK(wrapped.find_duplicate(view(batch_of(7, 0, max - 1, 4))) != nullptr);
}

TEST_CASE("producer state: a failed append leaves the state as it was") {
    producer_state state(day_ms);
    REQUIRE(append(state, batch_of(7, 0, 0), 0) == producer_error::none);
    producer_append a(state, append_origin::client);
    CHECK(a.add(view(batch_of(7, 0, 3)), 3) == producer_error::none);
    CHECK(a.add(view(batch_of(7, 0, 9)), 6) == producer_error::out_of_order_sequence);
    // Not committed: the next append continues from sequence 3.
    CHECK(state.find(7)->last_seq() == 2);
    CHECK(append(state, batch_of(7, 0, 3), 3) == producer_error::none);
}

TEST_CASE("producer state: several batches of one append are checked in order") {
    producer_state state(day_ms);
    producer_append a(state, append_origin::client);
    CHECK(a.add(view(batch_of(7, 0, 0)), 0) == producer_error::none);
    CHECK(a.add(view(batch_of(7, 0, 3)), 3) == producer_error::none);
    CHECK(a.add(view(batch_of(8, 0, 0)), 6) == producer_error::none);
    state.commit(std::move(a), 9);
    CHECK(state.find(7)->size() == 2);
    CHECK(state.find(8)->last_offset() == 8);
}

TEST_CASE("producer state: a plain batch inside an open transaction is refused") {
    producer_state state(day_ms);
    REQUIRE(append(state, batch_of(7, 0, 0, 3, true), 10) == producer_error::none);
    CHECK(state.find(7)->current_txn_first_offset == 10);
    CHECK(append(state, batch_of(7, 0, 3, 3, false), 13) == producer_error::invalid_txn_state);
}

TEST_CASE("producer state: replicated and replayed batches are not checked") {
    producer_state state(day_ms);
    REQUIRE(append(state, batch_of(7, 5, 0), 0) == producer_error::none);
    auto old = batch_of(7, 4, 100);
    record::mutable_batch_view(old.data(), old.size()).set_base_offset(3);
    state.replay(view(old));
    CHECK(state.find(7)->epoch == 4);
    CHECK(state.map_end_offset() == 6);
}

TEST_CASE("producer state: producers expire after producer.id.expiration.ms") {
    producer_state state(day_ms);
    REQUIRE(append(state, batch_of(7, 0, 0), 0) == producer_error::none);
    REQUIRE(append(state, batch_of(8, 0, 0, 3, true), 3) == producer_error::none);
    state.remove_expired(now + day_ms - 1);
    CHECK(state.size() == 2);
    state.remove_expired(now + day_ms);
    // The producer with an open transaction stays.
    CHECK(state.find(7) == nullptr);
    CHECK(state.find(8) != nullptr);
}

TEST_CASE("producer snapshot: round trip keeps each producer's newest batch") {
    producer_state state(day_ms);
    REQUIRE(append(state, batch_of(7, 2, 0), 0) == producer_error::none);
    REQUIRE(append(state, batch_of(7, 2, 3), 3) == producer_error::none);
    REQUIRE(append(state, batch_of(8, 0, 0, 1, true), 6) == producer_error::none);
    const auto bytes = encode_producer_snapshot(state);
    CHECK(bytes.size() == 2 + 4 + 4 + 2 * 46);

    producer_state loaded(day_ms);
    REQUIRE(decode_producer_snapshot(bytes, loaded, now));
    REQUIRE(loaded.size() == 2);
    const producer_entry* e = loaded.find(7);
    REQUIRE(e);
    CHECK(e->epoch == 2);
    CHECK(e->size() == 1);
    CHECK(e->last_seq() == 5);
    CHECK(e->last_offset() == 5);
    CHECK(e->last().first_offset() == 3);
    CHECK(loaded.find(8)->current_txn_first_offset == 6);
    // The next batch continues from the snapshot; the newest batch is still a retry.
    CHECK(append(loaded, batch_of(7, 2, 6), 7) == producer_error::none);
    CHECK(loaded.find_duplicate(view(batch_of(7, 2, 3))) != nullptr);
}

TEST_CASE("producer snapshot: damaged or foreign bytes are refused") {
    producer_state state(day_ms);
    REQUIRE(append(state, batch_of(7, 0, 0), 0) == producer_error::none);
    auto bytes = encode_producer_snapshot(state);
    producer_state loaded(day_ms);
    auto flipped = bytes;
    flipped.back() ^= 1;
    CHECK_FALSE(decode_producer_snapshot(flipped, loaded, now));
    auto version = bytes;
    version[1] = 2;
    CHECK_FALSE(decode_producer_snapshot(version, loaded, now));
    auto truncated = bytes;
    truncated.pop_back();
    CHECK_FALSE(decode_producer_snapshot(truncated, loaded, now));
    CHECK_FALSE(decode_producer_snapshot({}, loaded, now));
    CHECK(loaded.size() == 0);
    // Expired producers are not loaded.
    REQUIRE(decode_producer_snapshot(bytes, loaded, now + day_ms));
    CHECK(loaded.size() == 0);
}

}  // namespace eddy::log
