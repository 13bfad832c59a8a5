// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Idempotent producers through the log: retries answered with the original offsets and
// not written twice, gaps refused, and the state kept across close, crash and truncation.
#include <doctest/doctest.h>

#include "batch_builder.h"
#include "log/errc.h"
#include "log_fixture.h"

namespace eddy::log {
namespace {

using test::log_fixture;

std::vector<uint8_t> producer_batch_of(int64_t pid, int16_t epoch, int32_t seq, int count = 2) {
    return record::test::producer_batch(pid, epoch, seq, count, 900'000);
}

result<append_result> produce(log_fixture& f, int64_t pid, int32_t seq, int16_t epoch = 0) {
    auto bytes = producer_batch_of(pid, epoch, seq);
    return f.l->append(bytes, {.now_ms = f.now});
}

size_t snapshot_count(log_fixture& f) {
    size_t n = 0;
    auto names = f.fs.list(f.dir);
    REQUIRE(names);
    for (const auto& name : *names)
        if (name.ends_with(snapshot_suffix)) ++n;
    return n;
}

}  // namespace

TEST_SUITE("log.producers") {
    TEST_CASE("a retried batch gets its original offsets and is not written again") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(produce(f, 7, 0));
        REQUIRE(produce(f, 7, 2));
        auto retry = produce(f, 7, 0);
        REQUIRE(retry);
        CHECK(retry->duplicate);
        CHECK(retry->first_offset == 0);
        CHECK(retry->last_offset == 1);
        CHECK(f.l->latest() == 4);
        auto gap = produce(f, 7, 9);
        REQUIRE_FALSE(gap);
        CHECK(gap.error() == errc::out_of_order_sequence);
        CHECK(f.l->latest() == 4);
        REQUIRE(produce(f, 7, 0, 5));
        auto zombie = produce(f, 7, 2, 4);
        REQUIRE_FALSE(zombie);
        CHECK(zombie.error() == errc::invalid_producer_epoch);
    }

    TEST_CASE("the state survives a clean close through a snapshot") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(produce(f, 7, 0));
        REQUIRE(produce(f, 7, 2));
        REQUIRE_FALSE(f.l->close());
        CHECK(f.fs.exists(f.dir + "/00000000000000000004.snapshot"));
        f.open_clean();
        auto retry = produce(f, 7, 2);
        REQUIRE(retry);
        CHECK(retry->duplicate);
        CHECK(retry->first_offset == 2);
        CHECK(produce(f, 7, 5).error() == errc::out_of_order_sequence);
        CHECK(produce(f, 7, 4));
    }

    TEST_CASE("after a crash the state is rebuilt from the last roll's snapshot and the log") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(produce(f, 7, 0));
        REQUIRE_FALSE(f.l->roll(f.now));
        CHECK(f.fs.exists(f.dir + "/00000000000000000002.snapshot"));
        REQUIRE(produce(f, 7, 2));
        REQUIRE(produce(f, 8, 0));
        // No close(): the broker was killed.
        f.reopen_after_crash(0);
        CHECK(f.l->producers().size() == 2);
        auto retry = produce(f, 7, 2);
        REQUIRE(retry);
        CHECK(retry->duplicate);
        CHECK(retry->first_offset == 2);
        CHECK(produce(f, 8, 2));
        CHECK(f.l->latest() == 8);
    }

    TEST_CASE("a damaged snapshot is replaced by a scan of the log") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(produce(f, 7, 0));
        REQUIRE_FALSE(f.l->close());
        auto* snap = f.fs.contents(f.dir + "/00000000000000000002.snapshot");
        REQUIRE(snap);
        snap->back() ^= 0xff;
        f.reopen_after_crash(0);
        auto retry = produce(f, 7, 0);
        REQUIRE(retry);
        CHECK(retry->duplicate);
    }

    TEST_CASE("truncation forgets the producers' removed batches") {
        log_fixture f;
        f.open_fresh();
        REQUIRE(produce(f, 7, 0));
        REQUIRE(produce(f, 7, 2));
        REQUIRE_FALSE(f.l->truncate_to(2, f.now));
        // Sequence 2 is gone from the log: sent again it is new data, not a retry.
        auto again = produce(f, 7, 2);
        REQUIRE(again);
        CHECK_FALSE(again->duplicate);
        CHECK(again->first_offset == 2);
    }

    TEST_CASE("snapshots of deleted segments go with them") {
        log_fixture f;
        f.open_fresh();
        for (int i = 0; i < 4; ++i) {
            REQUIRE(produce(f, 7, i * 2));
            REQUIRE_FALSE(f.l->roll(f.now));
        }
        CHECK(snapshot_count(f) == 4);
        REQUIRE(f.l->delete_records_before(6, f.l->latest(), f.now));
        REQUIRE(f.l->apply_retention(f.now, -1, -1, f.l->latest()));
        CHECK(f.l->earliest() == 6);
        // Snapshots at 6 and 8 remain; 2 and 4 went with their segments.
        CHECK(snapshot_count(f) == 2);
        CHECK(f.fs.exists(f.dir + "/00000000000000000008.snapshot"));
    }

    TEST_CASE("batches without a producer id are never treated as retries") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 2});
        auto r = f.append({.records = 2});
        CHECK_FALSE(r.duplicate);
        CHECK(f.l->latest() == 4);
        CHECK(f.l->producers().size() == 0);
    }
}

}  // namespace eddy::log
