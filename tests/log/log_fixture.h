// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Test-only: a partition log on the in-memory filesystem.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "log_batches.h"
#include "log/file_names.h"
#include "log/log.h"
#include "log/memory_filesystem.h"

namespace eddy::log::test {

struct log_fixture {
    memory_filesystem fs;
    std::string dir = "/data/topic-0";
    log_config config;
    std::unique_ptr<log> l;
    int64_t now = 1'000'000;

    log_fixture() { config.index_interval_bytes = 100; }

    void open(const open_options& opts) {
        l.reset();
        auto r = log::open(fs, dir, config, opts);
        REQUIRE_MESSAGE(r, r.error().message());
        l = std::move(*r);
    }
    void open_clean() {
        auto rp = l ? l->recovery_point() : 0;
        auto start = l ? l->earliest() : 0;
        open({.recovery_point = rp, .log_start_offset = start, .clean_shutdown = true, .now_ms = now});
    }
    void open_fresh() { open({.now_ms = now}); }
    // Reopens after a crash: the broker only knows the last checkpointed recovery point.
    void reopen_after_crash(int64_t recovery_point) {
        open({.recovery_point = recovery_point, .log_start_offset = 0, .clean_shutdown = false,
              .now_ms = now});
    }

    append_result append(batch_spec spec, append_info info = {}) {
        auto bytes = make_batch(spec);
        if (info.now_ms == 0) info.now_ms = now;
        auto r = l->append(bytes, info);
        REQUIRE_MESSAGE(r, r.error().message());
        return *r;
    }
    std::vector<uint8_t>& file_bytes(int64_t base, std::string_view suffix) {
        auto* c = fs.contents(join_path(dir, segment_file_name(base, suffix)));
        REQUIRE(c != nullptr);
        return *c;
    }
};

}  // namespace eddy::log::test
