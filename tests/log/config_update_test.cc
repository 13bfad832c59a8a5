// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// log::update_config: a changed topic config acts on the open log without a reopen.
#include <doctest/doctest.h>

#include "log/errc.h"
#include "log_fixture.h"

namespace eddy::log::test {
namespace {

TEST_SUITE("log.config_update") {
    TEST_CASE("a lower segment.bytes rolls at the next append") {
        log_fixture f;
        f.open_fresh();
        for (int i = 0; i < 3; ++i) f.append({});
        REQUIRE(f.l->segment_count() == 1);
        log_config c = f.config;
        c.segment_bytes = make_batch({}).size();  // one batch per segment
        f.l->update_config(c);
        f.append({});
        f.append({});
        CHECK(f.l->segment_count() == 3);
        CHECK(f.l->config().segment_bytes == c.segment_bytes);
        // Appends larger than segment.bytes are refused from now on, too.
        auto big = make_batch({.records = 3});
        CHECK(f.l->append(big, {.now_ms = f.now}).error() == errc::record_list_too_large);
    }

    TEST_CASE("a lower segment.ms rolls a segment that is already old enough") {
        log_fixture f;
        f.open_fresh();
        f.append({.base_timestamp = f.now});
        f.now += 60'000;
        f.append({.base_timestamp = f.now});
        REQUIRE(f.l->segment_count() == 1);
        log_config c = f.config;
        c.segment_ms = 30'000;
        f.l->update_config(c);
        f.append({.base_timestamp = f.now});
        CHECK(f.l->segment_count() == 2);
    }

    TEST_CASE("flush.messages=1 flushes every later append") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 2});
        REQUIRE(f.l->recovery_point() == 0);
        log_config c = f.config;
        c.flush_messages = 1;
        f.l->update_config(c);
        f.append({.records = 3});
        CHECK(f.l->recovery_point() == 5);
        f.append({});
        CHECK(f.l->recovery_point() == 6);
    }

    TEST_CASE("a lower flush.ms flushes at the next check") {
        log_fixture f;
        f.open_fresh();
        f.append({.records = 2});
        f.now += 5'000;
        REQUIRE_FALSE(f.l->maybe_flush(f.now));
        REQUIRE(f.l->recovery_point() == 0);
        log_config c = f.config;
        c.flush_ms = 1'000;
        f.l->update_config(c);
        REQUIRE_FALSE(f.l->maybe_flush(f.now));
        CHECK(f.l->recovery_point() == 2);
    }

    TEST_CASE("index.interval.bytes applies to the active segment's next entries") {
        log_fixture f;
        f.config.index_interval_bytes = 1 << 20;
        f.open_fresh();
        for (int i = 0; i < 4; ++i) f.append({});
        const segment& active = *f.l->segments().rbegin()->second;
        REQUIRE(active.offsets().size() == 0);
        log_config c = f.config;
        c.index_interval_bytes = 1;
        f.l->update_config(c);
        for (int i = 0; i < 4; ++i) f.append({});
        CHECK(active.offsets().size() == 4);
    }

    TEST_CASE("segment.index.bytes sizes the indexes of segments made from now on") {
        log_fixture f;
        f.config.index_interval_bytes = 1;
        f.open_fresh();
        for (int i = 0; i < 6; ++i) f.append({});
        REQUIRE(f.l->segment_count() == 1);
        log_config c = f.config;
        c.segment_index_bytes = 3 * offset_index::entry_size;  // two time index entries
        f.l->update_config(c);
        f.append({});
        CHECK(f.l->segment_count() == 1);  // the active segment keeps its capacity
        REQUIRE_FALSE(f.l->roll(f.now));
        for (int i = 0; i < 6; ++i) f.append({});
        // Each new segment fills its small index within a few batches and rolls.
        CHECK(f.l->segment_count() > 2);
    }
}

}  // namespace
}  // namespace eddy::log::test
