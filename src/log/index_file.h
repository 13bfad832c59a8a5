// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The file under an offset or time index: fixed-size entries appended to a plain file.
// Format: src/log/index_format.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "log/filesystem.h"

namespace eddy::log {

// Lives on: the partition's executor.
// Entries are staged with stage() and written by one write(2) in write_staged(), so an
// append of many batches costs one index write.
class index_file {
public:
    // Opens (creating if missing) and returns the file's current bytes in `contents`.
    static result<index_file> open(filesystem& fs, std::string path, size_t entry_size,
                                   std::vector<uint8_t>& contents);

    void stage(const uint8_t* entry) { staged_.insert(staged_.end(), entry, entry + entry_size_); }
    // On failure the file is cut back to the entries written before, so a torn write
    // never leaves a partial entry behind for later entries to land after.
    std::error_code write_staged();
    // Keeps the first `entries` entries (drops anything staged).
    std::error_code truncate_entries(size_t entries);
    std::error_code sync() { return file_->sync(); }
    const std::string& path() const { return path_; }

private:
    index_file(std::shared_ptr<file> f, std::string path, size_t entry_size)
        : file_(std::move(f)), path_(std::move(path)), entry_size_(entry_size) {}

    std::shared_ptr<file> file_;
    std::string path_;
    size_t entry_size_;
    std::vector<uint8_t> staged_;
    uint64_t written_ = 0;  // bytes of whole entries in the file
};

}  // namespace eddy::log
