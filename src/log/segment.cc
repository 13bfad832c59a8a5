// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/segment.h"

#include <algorithm>
#include <array>
#include <climits>
#include <vector>

#include "common/logging.h"
#include "log/errc.h"
#include "log/file_names.h"

namespace eddy::log {
namespace {

// Recovery reads the log in chunks of this size (more when one batch is larger).
constexpr size_t recovery_chunk = 1 << 20;

// An append this large marks a busy partition: its segment reserves disk blocks
// `reserve_step` ahead of its end, so that ext4 skips the per-block delayed-allocation
// work on each write (about 0.02 s of broker CPU per GB of 1 KiB records: bench/README.md).
// Quiet partitions, which append less at a time, hold no spare blocks; a busy one holds at
// most one step, never past segment.bytes, released when its segment rolls or the log closes.
constexpr size_t reserve_min_append = 64 * 1024;
constexpr uint64_t reserve_step = 8 << 20;

bool can_convert_to_relative(int64_t base, int64_t offset) {
    return offset >= base && offset - base <= INT32_MAX;
}

}  // namespace

segment::segment(filesystem& fs, std::string log_path, std::shared_ptr<file> log, offset_index oi,
                 time_index ti, txn_index xi, int64_t base_offset, const segment_options& opts,
                 int64_t now_ms)
    : fs_(&fs),
      log_path_(std::move(log_path)),
      log_(std::move(log)),
      offset_index_(std::move(oi)),
      time_index_(std::move(ti)),
      txn_index_(std::move(xi)),
      base_offset_(base_offset),
      opts_(opts),
      next_offset_(base_offset),
      offset_of_max_timestamp_(base_offset),
      created_ms_(now_ms) {}

result<std::unique_ptr<segment>> segment::create(filesystem& fs, const std::string& dir,
                                                 int64_t base_offset, const segment_options& opts,
                                                 int64_t now_ms, std::string_view name_suffix) {
    bool needs_recovery = false;
    auto s = open(fs, dir, base_offset, opts, now_ms, needs_recovery, name_suffix);
    if (!s) return s;
    auto& seg = **s;
    if (auto ec = seg.log_->truncate(0)) return ec;
    if (auto ec = seg.offset_index_.reset()) return ec;
    if (auto ec = seg.time_index_.reset()) return ec;
    if (auto ec = seg.txn_index_.reset()) return ec;
    seg.size_ = 0;
    seg.next_offset_ = base_offset;
    seg.max_timestamp_ = time_index::no_timestamp;
    seg.offset_of_max_timestamp_ = base_offset;
    seg.bytes_since_last_index_entry_ = 0;
    seg.rolling_timestamp_ = time_index::no_timestamp;
    if (opts.preallocate_bytes > 0) {
        seg.log_->reserve(0, opts.preallocate_bytes);
        seg.reserved_end_ = opts.preallocate_bytes;
    }
    return s;
}

result<std::unique_ptr<segment>> segment::open(filesystem& fs, const std::string& dir,
                                               int64_t base_offset, const segment_options& opts,
                                               int64_t now_ms, bool& needs_recovery,
                                               std::string_view name_suffix) {
    auto path_of = [&](std::string_view suffix) {
        return join_path(dir, segment_file_name(base_offset, suffix) + std::string(name_suffix));
    };
    const std::string log_path = path_of(log_suffix);
    const std::string index_path = path_of(index_suffix);
    const std::string time_path = path_of(time_index_suffix);
    const std::string txn_path = path_of(txn_index_suffix);
    // A missing .txnindex is rebuilt too: Eddy makes one with every segment, so without it
    // the aborts of this segment are unknown (a log written by Kafka is rescanned once).
    needs_recovery = !fs.exists(index_path) || !fs.exists(time_path) || !fs.exists(txn_path);

    auto log = fs.open(log_path, true);
    if (!log) return log.error();
    auto log_size = (*log)->size();
    if (!log_size) return log_size.error();
    auto oi = offset_index::open(fs, index_path, base_offset,
                                 opts.max_index_bytes / offset_index::entry_size, *log_size);
    if (!oi) return oi.error();
    auto ti = time_index::open(fs, time_path, base_offset,
                               opts.max_index_bytes / time_index::entry_size);
    if (!ti) return ti.error();
    auto xi = txn_index::open(fs, txn_path, base_offset);
    if (!xi) return xi.error();
    needs_recovery = needs_recovery || oi->corrupt() || ti->corrupt() || xi->corrupt();

    std::unique_ptr<segment> seg(new segment(fs, log_path, std::move(*log), std::move(*oi),
                                             std::move(*ti), std::move(*xi), base_offset, opts,
                                             now_ms));
    seg->size_ = *log_size;
    if (!needs_recovery) {
        auto ec = seg->load_tail();
        if (ec == errc::invalid_batches) {
            needs_recovery = true;
        } else if (ec) {
            return ec;
        }
    }
    return seg;
}

result<std::optional<batch_location>> segment::read_location(uint64_t position) const {
    if (position >= size_) return std::optional<batch_location>{};
    std::array<uint8_t, record::batch_header_size> raw{};
    if (size_ - position < raw.size()) return errc::invalid_batches;
    if (auto ec = read_exact(*log_, position, raw)) return ec;
    // Only header fields are read from this view: it covers the header, not the batch.
    record::batch_view h(raw.data(), raw.size());
    const int64_t length = h.batch_length();
    if (h.magic() != record::current_magic || length < record::min_batch_length ||
        position + record::log_overhead + static_cast<uint64_t>(length) > size_ ||
        h.last_offset_delta() < 0) {
        return errc::invalid_batches;
    }
    return std::optional<batch_location>{batch_location{
        position, static_cast<uint32_t>(record::log_overhead + length), h.base_offset(),
        h.last_offset(), h.max_timestamp()}};
}

std::error_code segment::load_tail() {
    uint64_t pos = offset_index_.empty() ? 0 : offset_index_.last().position;
    if (!time_index_.empty()) {
        max_timestamp_ = time_index_.last().timestamp;
        offset_of_max_timestamp_ = time_index_.last().offset;
    } else {
        max_timestamp_ = time_index::no_timestamp;
        offset_of_max_timestamp_ = base_offset_;
    }
    next_offset_ = base_offset_;
    bytes_since_last_index_entry_ = size_ - pos;
    rolling_timestamp_ = time_index::no_timestamp;
    if (size_ > 0) {
        auto first = read_location(0);
        if (!first) return first.error();
        rolling_timestamp_ = (*first)->max_timestamp;
    }
    while (pos < size_) {
        auto loc = read_location(pos);
        if (!loc) return loc.error();
        const auto& l = **loc;
        if (l.base_offset < next_offset_ || !can_convert_to_relative(base_offset_, l.last_offset)) {
            return errc::invalid_batches;
        }
        if (l.max_timestamp > max_timestamp_) {
            max_timestamp_ = l.max_timestamp;
            offset_of_max_timestamp_ = l.last_offset;
        }
        next_offset_ = l.last_offset + 1;
        pos += l.size;
    }
    return {};
}

void segment::note_batch(const record::batch_view& h, uint64_t position) {
    if (position == 0) rolling_timestamp_ = h.max_timestamp();
    if (h.max_timestamp() > max_timestamp_) {
        max_timestamp_ = h.max_timestamp();
        offset_of_max_timestamp_ = h.last_offset();
    }
    if (bytes_since_last_index_entry_ > opts_.index_interval_bytes) {
        offset_index_.append(h.last_offset(), static_cast<uint32_t>(position));
        time_index_.maybe_append(max_timestamp_, offset_of_max_timestamp_);
        bytes_since_last_index_entry_ = 0;
    }
    bytes_since_last_index_entry_ += record::log_overhead + static_cast<uint32_t>(h.batch_length());
    next_offset_ = h.last_offset() + 1;
}

std::error_code segment::write_indexes() {
    if (auto ec = offset_index_.write()) return ec;
    return time_index_.write();
}

result<uint64_t> segment::recover(int64_t min_offset,
                                  const std::function<void(const record::batch_view&)>& on_batch,
                                  std::string& reason) {
    if (auto ec = offset_index_.reset()) return ec;
    if (auto ec = time_index_.reset()) return ec;
    if (auto ec = txn_index_.reset()) return ec;
    max_timestamp_ = time_index::no_timestamp;
    offset_of_max_timestamp_ = base_offset_;
    next_offset_ = std::max(base_offset_, min_offset);
    bytes_since_last_index_entry_ = 0;
    rolling_timestamp_ = time_index::no_timestamp;
    reason.clear();

    auto file_size = log_->size();
    if (!file_size) return file_size.error();
    uint64_t valid = 0;
    size_t want = recovery_chunk;
    std::vector<uint8_t> buf;
    while (valid < *file_size && reason.empty()) {
        const uint64_t left = *file_size - valid;
        buf.resize(std::min<uint64_t>(left, want));
        if (auto ec = read_exact(*log_, valid, buf)) return ec;
        record::batch_scanner scanner(buf.data(), buf.size(),
                                      {.check_crc = true, .max_batch_size = INT32_MAX});
        record::batch_view v;
        record::scan_status status;
        while ((status = scanner.next(v)) == record::scan_status::ok) {
            if (v.base_offset() < next_offset_ ||
                !can_convert_to_relative(base_offset_, v.last_offset())) {
                reason = "batch offsets out of order or outside the segment";
                break;
            }
            note_batch(v, valid + static_cast<uint64_t>(v.data() - buf.data()));
            if (on_batch) on_batch(v);
        }
        const uint64_t consumed = reason.empty() ? scanner.position()
                                                 : static_cast<uint64_t>(v.data() - buf.data());
        valid += consumed;
        if (!reason.empty() || status == record::scan_status::end) continue;
        if (status == record::scan_status::incomplete && buf.size() < left) {
            // The chunk ended inside a batch that continues in the file: read on from it,
            // with room for the whole batch when its length is known.
            want = recovery_chunk;
            if (buf.size() - consumed >= record::log_overhead) {
                record::batch_view h(buf.data() + consumed, buf.size() - consumed);
                want = std::max<size_t>(want, record::log_overhead +
                                                  static_cast<uint32_t>(h.batch_length()));
            }
            continue;
        }
        reason = std::string(scanner.reason());
        if (reason.empty()) reason = "invalid batch";
    }
    const uint64_t truncated = *file_size - valid;
    if (truncated > 0) {
        if (auto ec = log_->truncate(valid)) return ec;
    }
    size_ = valid;
    // A closed segment's time index ends with its max timestamp; a recovered one too.
    time_index_.maybe_append(max_timestamp_, offset_of_max_timestamp_, true);
    if (auto ec = write_indexes()) return ec;
    return truncated;
}

std::error_code segment::append(std::span<const uint8_t> batches) {
    const uint64_t start = size_;
    if (batches.size() >= reserve_min_append && start + batches.size() > reserved_end_) {
        const uint64_t from = std::max(start, reserved_end_);
        const uint64_t end = start + batches.size();
        reserved_end_ = std::max(end, std::min(end + reserve_step, opts_.max_bytes));
        log_->reserve(from, reserved_end_ - from);
    }
    if (auto ec = log_->append(batches)) {
        // Undo a torn write so the file again ends on a batch boundary.
        reserved_end_ = 0;  // the truncation releases them
        if (log_->truncate(start)) broken_ = true;
        return ec;
    }
    size_t pos = 0;
    while (pos < batches.size()) {
        record::batch_view h(batches.data() + pos, batches.size() - pos);
        note_batch(h, start + pos);
        pos += record::log_overhead + static_cast<uint32_t>(h.batch_length());
    }
    size_ = start + batches.size();
    // The batches are in the log: the append stands even if the index write fails. The
    // index file then lacks some entries (a sparse index may) and lookups scan further.
    if (auto ec = write_indexes()) {
        get_logger("storage")->warn("segment {}: index write failed: {}", log_path_, ec.message());
    }
    return {};
}

result<std::optional<batch_location>> segment::find_batch(int64_t offset,
                                                          uint64_t start_position) const {
    uint64_t pos = std::max<uint64_t>(offset_index_.lookup(offset).position, start_position);
    while (pos < size_) {
        auto loc = read_location(pos);
        if (!loc) return loc;
        if ((*loc)->last_offset >= offset) return loc;
        pos += (*loc)->size;
    }
    return std::optional<batch_location>{};
}

result<std::optional<batch_location>> segment::find_by_timestamp(int64_t timestamp,
                                                                 int64_t min_offset) const {
    const auto entry = time_index_.lookup(timestamp);
    uint64_t pos = offset_index_.lookup(std::max(entry.offset, min_offset)).position;
    while (pos < size_) {
        auto loc = read_location(pos);
        if (!loc) return loc;
        const auto& l = **loc;
        if (l.max_timestamp >= timestamp && l.last_offset >= min_offset) return loc;
        pos += l.size;
    }
    return std::optional<batch_location>{};
}

result<uint64_t> segment::truncate_to(int64_t offset) {
    auto loc = find_batch(offset);
    if (!loc) return loc.error();
    if (!*loc) return uint64_t{0};
    const uint64_t position = (*loc)->position;
    const uint64_t removed = size_ - position;
    if (auto ec = offset_index_.truncate_to(offset)) return ec;
    if (auto ec = time_index_.truncate_to(offset)) return ec;
    reserved_end_ = 0;  // the truncation releases them
    if (auto ec = log_->truncate(position)) return ec;
    size_ = position;
    if (auto ec = load_tail()) return ec;
    if (auto ec = txn_index_.truncate_to(next_offset_)) return ec;
    return removed;
}

std::error_code segment::on_become_inactive() {
    time_index_.maybe_append(max_timestamp_, offset_of_max_timestamp_, true);
    if (auto ec = time_index_.write()) return ec;
    // Spare blocks do not make the roll or the close fail; the next truncation or the
    // segment's deletion frees them.
    if (reserved_end_ > size_) {
        if (auto ec = release_reserved_blocks()) {
            get_logger("storage")->warn("segment {}: could not release reserved blocks: {}",
                                        log_path_, ec.message());
        }
    }
    return {};
}

std::error_code segment::release_reserved_blocks() {
    reserved_end_ = 0;
    return log_->release_reserved();
}

std::error_code segment::sync() {
    if (auto ec = log_->sync()) return ec;
    if (auto ec = offset_index_.sync()) return ec;
    if (auto ec = time_index_.sync()) return ec;
    return txn_index_.sync();
}

std::error_code segment::remove_files() {
    std::error_code first;
    for (const auto& path :
         {log_path_, offset_index_.path(), time_index_.path(), txn_index_.path()}) {
        auto ec = fs_->remove(path);
        if (ec && ec != std::errc::no_such_file_or_directory && !first) first = ec;
    }
    return first;
}

std::error_code segment::rename_files_deleted(std::vector<std::string>& renamed) {
    for (const auto& path :
         {log_path_, offset_index_.path(), time_index_.path(), txn_index_.path()}) {
        if (!fs_->exists(path)) continue;
        std::string to = path + std::string(deleted_suffix);
        if (auto ec = fs_->rename(path, to)) return ec;
        renamed.push_back(std::move(to));
    }
    return {};
}

int64_t segment::last_modified_ms() const {
    auto m = log_->modified_ms();
    return m ? *m : created_ms_;
}

bool segment::should_roll(const roll_params& p) const {
    const int64_t waited = rolling_timestamp_ >= 0 ? p.append_max_timestamp - rolling_timestamp_
                                                   : std::max<int64_t>(p.now_ms - created_ms_, 0);
    return size_ + p.append_bytes > p.segment_bytes || (size_ > 0 && waited > p.segment_ms - opts_.roll_jitter_ms) ||
           offset_index_.full() || time_index_.full() ||
           !can_convert_to_relative(base_offset_, p.append_last_offset);
}

}  // namespace eddy::log
