// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// An in-memory filesystem that can inject faults, for storage tests (LevelDB's memenv plus
// fault_injection_test): failing and torn writes, short reads, and crashes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "log/filesystem.h"

namespace eddy::log {

// Lives on: the test's thread (not thread-safe).
//
// Every file keeps two images: what write(2) produced (the page cache) and what the last
// sync() made durable. kill() models kill -9: the page cache survives, nothing changes.
// power_loss() models losing the machine: each file keeps its durable image plus, when
// `seed` is non-zero, a random prefix of the bytes appended since (a torn tail).
class memory_filesystem final : public filesystem {
public:
    memory_filesystem();

    result<std::shared_ptr<file>> open(const std::string& path, bool create) override;
    result<std::vector<std::string>> list(const std::string& dir) override;
    bool exists(const std::string& path) override;
    std::error_code remove(const std::string& path) override;
    std::error_code rename(const std::string& from, const std::string& to) override;
    std::error_code remove_all(const std::string& path) override;
    std::error_code create_directories(const std::string& dir) override;
    std::error_code sync_directory(const std::string& dir) override;

    // Fault knobs.
    // After `bytes` more bytes have been appended (to any file), appends fail with ENOSPC.
    // When `torn`, the append that crosses the limit writes the part that fits first.
    void fail_writes_after(uint64_t bytes, bool torn);
    // Every read returns at most half of what was asked (at least one byte).
    void set_short_reads(bool on) { state_->short_reads = on; }
    // Syncs fail with EIO.
    void set_fail_syncs(bool on) { state_->fail_syncs = on; }
    // After `count` more renames succeed, renames fail with EIO (a disk turned read-only).
    void fail_renames_after(int count) {
        state_->rename_limit = true;
        state_->renames_left = count;
    }
    void clear_faults();

    void power_loss(uint64_t seed);

    // Direct access for tests: the page-cache image of a file (nullptr when missing).
    std::vector<uint8_t>* contents(const std::string& path);
    // How many bytes past its end a file has reserved with file::reserve() (0 when missing).
    uint64_t reserved_beyond_end(const std::string& path);
    // Sets a file's modification time, as touch(1) would; false when missing.
    bool set_modified_ms(const std::string& path, int64_t ms);

    struct node {
        std::vector<uint8_t> data;
        std::vector<uint8_t> durable;
        uint64_t reserved_end = 0;  // file::reserve() up to here; truncate(), release_reserved() free
        int64_t modified_ms = 0;    // wall clock of the last append or truncate
    };
    struct fault_state {
        bool write_limit = false;
        bool torn = false;
        uint64_t write_budget = 0;
        bool short_reads = false;
        bool fail_syncs = false;
        bool rename_limit = false;
        int renames_left = 0;
    };

private:
    std::map<std::string, std::shared_ptr<node>> files_;
    std::set<std::string> dirs_;
    std::shared_ptr<fault_state> state_;
};

}  // namespace eddy::log
