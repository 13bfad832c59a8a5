// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The file layer the log is written against: a posix implementation for the broker and an
// in-memory, fault-injecting one for tests (memory_filesystem.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "log/result.h"

namespace eddy::log {

// An open file. Writes only append at the end (the log, its indexes and checkpoint
// temporaries are all append-only); truncate() shortens.
// Thread-safety: read_at() and native_handle() may be called from any thread while the
// owner appends (a Fetch being sent from a network thread); everything else belongs to
// the file's owner.
class file {
public:
    virtual ~file() = default;

    // Reads up to out.size() bytes at `pos`. Returns the count read, which may be short
    // even before the end of the file; 0 means end of file.
    virtual result<size_t> read_at(uint64_t pos, std::span<uint8_t> out) = 0;
    // Appends all of `data` with write(2) semantics: in the page cache on success, which
    // survives a process kill but not a power loss until sync(). On failure a prefix of
    // `data` may have been written (a torn write); size() tells.
    virtual std::error_code append(std::span<const uint8_t> data) = 0;
    virtual result<uint64_t> size() = 0;
    // Also releases blocks reserved beyond the new size.
    virtual std::error_code truncate(uint64_t size) = 0;
    // Asks the file system to allocate blocks for [offset, offset + length) without
    // changing the file's size (fallocate(2) with FALLOC_FL_KEEP_SIZE), so that later
    // appends into them skip a delayed-allocation file system's per-block reservation. A
    // hint: where the file system cannot, or the disk is full, appends allocate as usual.
    virtual void reserve(uint64_t offset, uint64_t length) = 0;
    // Frees the blocks reserve() set aside past the file's end, keeping every byte and
    // the modification time: a segment without timestamps ages by its mtime, which must
    // stay the time of its last write, not of this bookkeeping.
    virtual std::error_code release_reserved() = 0;
    // fsync(2).
    virtual std::error_code sync() = 0;
    // The OS file descriptor for sendfile(2), or -1 when the file is not an OS file.
    virtual int native_handle() const = 0;
    // The last modification time (mtime), in ms since the epoch: what Kafka's time
    // retention ages a segment without timestamps by.
    virtual result<int64_t> modified_ms() = 0;
    // Sets the modification time (the log cleaner keeps a rewritten segment's).
    virtual std::error_code set_modified_ms(int64_t ms) = 0;
};

class filesystem {
public:
    virtual ~filesystem() = default;

    // Opens `path` for reading and appending; creates an empty file when `create` and it
    // does not exist. Without `create`, a missing file is std::errc::no_such_file_or_directory.
    virtual result<std::shared_ptr<file>> open(const std::string& path, bool create) = 0;
    // The names (not paths) of the entries in `dir`.
    virtual result<std::vector<std::string>> list(const std::string& dir) = 0;
    virtual bool exists(const std::string& path) = 0;
    // Removes a file; open handles stay readable (unlink semantics).
    virtual std::error_code remove(const std::string& path) = 0;
    // Atomically replaces `to` with `from`; also moves a directory with all it holds.
    virtual std::error_code rename(const std::string& from, const std::string& to) = 0;
    // Removes `path` and, if it is a directory, everything under it. A missing path is no
    // error.
    virtual std::error_code remove_all(const std::string& path) = 0;
    virtual std::error_code create_directories(const std::string& dir) = 0;
    // fsync(2) on the directory, making created, renamed and removed entries durable.
    virtual std::error_code sync_directory(const std::string& dir) = 0;
};

// Owns a filesystem on the real disk.
std::unique_ptr<filesystem> make_posix_filesystem();

// `dir` + "/" + `name`.
std::string join_path(const std::string& dir, const std::string& name);

// Reads exactly out.size() bytes at `pos`, looping over short reads; errc::unexpected_eof
// when the file ends first.
std::error_code read_exact(file& f, uint64_t pos, std::span<uint8_t> out);

// Reads a whole (small) file.
result<std::vector<uint8_t>> read_whole_file(filesystem& fs, const std::string& path);

// Replaces `path` with `data` so that a crash leaves either the old or the new contents:
// write `path`.tmp, fsync it, rename over `path`, fsync the directory (Kafka's checkpoints
// do the same).
std::error_code write_file_atomically(filesystem& fs, const std::string& dir, const std::string& name,
                                      std::span<const uint8_t> data);

}  // namespace eddy::log
