// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "raft/snapshot_writer.h"

#include "raft/batch_codec.h"

namespace eddy::raft {

snapshot_writer::snapshot_writer(log::filesystem& fs, std::string dir, snapshot_id id,
                                 size_t max_batch_bytes)
    : fs_(&fs), dir_(std::move(dir)), id_(id), max_batch_bytes_(max_batch_bytes) {}

snapshot_writer::snapshot_writer(snapshot_writer&& other) noexcept
    : fs_(other.fs_),
      dir_(std::move(other.dir_)),
      id_(other.id_),
      max_batch_bytes_(other.max_batch_bytes_),
      file_(std::move(other.file_)),
      pending_(std::move(other.pending_)),
      pending_bytes_(other.pending_bytes_),
      next_offset_(other.next_offset_),
      frozen_(other.frozen_) {
    other.frozen_ = true;  // the moved-from writer owns no file
}

snapshot_writer::~snapshot_writer() { discard(); }

void snapshot_writer::discard() {
    if (frozen_) return;
    frozen_ = true;
    file_.reset();
    // Best effort: a partial file that stays behind is removed at the next start-up.
    (void)fs_->remove(log::join_path(dir_, partial_snapshot_file_name(id_)));
}

log::result<snapshot_writer> snapshot_writer::create(log::filesystem& fs, std::string dir,
                                                     snapshot_id id,
                                                     int64_t last_contained_log_timestamp,
                                                     int64_t now_ms, size_t max_batch_bytes) {
    snapshot_writer w(fs, std::move(dir), id, max_batch_bytes);
    auto f = fs.open(log::join_path(w.dir_, partial_snapshot_file_name(id)), true);
    if (!f) {
        w.frozen_ = true;  // nothing to remove
        return f.error();
    }
    w.file_ = std::move(*f);
    if (auto ec = w.file_->truncate(0)) return ec;
    msg::snapshot_header_record header;
    header.version = snapshot_header_version;
    header.last_contained_log_timestamp = last_contained_log_timestamp;
    if (auto ec =
            w.write_batch(encode_snapshot_header_batch({0, id.epoch, now_ms, true}, header))) {
        return ec;
    }
    return log::result<snapshot_writer>(std::move(w));
}

std::error_code snapshot_writer::write_batch(std::vector<uint8_t> batch) {
    record::batch_view view(batch.data(), batch.size());
    next_offset_ = view.last_offset() + 1;
    return file_->append(batch);
}

std::error_code snapshot_writer::flush_pending(int64_t now_ms) {
    if (pending_.empty()) return {};
    std::vector<uint8_t> batch =
        encode_data_batch({next_offset_, id_.epoch, now_ms, false}, pending_);
    pending_.clear();
    pending_bytes_ = 0;
    return write_batch(std::move(batch));
}

std::error_code snapshot_writer::append(std::span<const std::vector<uint8_t>> records,
                                        int64_t now_ms) {
    if (frozen_) return std::make_error_code(std::errc::invalid_argument);
    for (const auto& r : records) {
        if (!pending_.empty() && pending_bytes_ + r.size() > max_batch_bytes_) {
            if (auto ec = flush_pending(now_ms)) return ec;
        }
        pending_.push_back(r);
        pending_bytes_ += r.size();
    }
    return {};
}

log::result<uint64_t> snapshot_writer::finish(int64_t now_ms) {
    if (auto ec = flush_pending(now_ms)) return ec;
    if (auto ec =
            write_batch(encode_snapshot_footer_batch({next_offset_, id_.epoch, now_ms, true}))) {
        return ec;
    }
    auto size = file_->size();
    if (!size) return size.error();
    // Durable before it gets the name that says it is whole.
    if (auto ec = file_->sync()) return ec;
    if (auto ec = fs_->rename(log::join_path(dir_, partial_snapshot_file_name(id_)),
                              log::join_path(dir_, snapshot_file_name(id_)))) {
        return ec;
    }
    return size;
}

log::result<uint64_t> snapshot_writer::freeze(int64_t now_ms) {
    if (frozen_) return std::make_error_code(std::errc::invalid_argument);
    log::result<uint64_t> size = finish(now_ms);
    if (!size) {
        discard();
        return size;
    }
    frozen_ = true;
    file_.reset();
    if (auto ec = fs_->sync_directory(dir_)) return ec;
    return size;
}

}  // namespace eddy::raft
