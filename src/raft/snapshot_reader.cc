// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "raft/snapshot_reader.h"

#include "eddy/codec/reader.h"
#include "log/errc.h"
#include "raft/batch_codec.h"

#include <fmt/format.h>

namespace eddy::raft {
namespace {

// Walks the batches of a snapshot, checking the header/footer frame around the data.
class snapshot_parser {
public:
    explicit snapshot_parser(snapshot_contents& out) : out_(out) {}

    // Takes the next batch; false (with error()) when it breaks the snapshot's shape.
    bool take(decoded_batch& batch) {
        if (footer_seen_) return fail("a batch follows the SnapshotFooterRecord");
        if (!batch.control) {
            if (!header_seen_) return fail("the first batch is not a snapshot header");
            for (raw_record& r : batch.records) out_.records.push_back(std::move(r.value));
            return true;
        }
        for (size_t i = 0; i < batch.records.size(); ++i) {
            if (!take_control(batch.records[i], i == 0, i + 1 == batch.records.size())) {
                return false;
            }
        }
        return true;
    }

    bool finish() {
        if (!header_seen_) return fail("no snapshot header");
        if (!footer_seen_) return fail("no SnapshotFooterRecord: the snapshot is incomplete");
        return true;
    }

    const std::string& error() const { return error_; }

private:
    bool fail(std::string why) {
        error_ = std::move(why);
        return false;
    }

    bool take_control(const raw_record& r, bool first_in_batch, bool last_in_batch) {
        const std::optional<int16_t> type = control_record_type(r);
        if (!type) return fail("a control record with a malformed key");
        if (!header_seen_) {
            if (*type != control_type_snapshot_header || !first_in_batch) {
                return fail("the first record is not a SnapshotHeaderRecord");
            }
            msg::snapshot_header_record header;
            codec::reader reader(r.value.data(), r.value.size());
            if (!header.read(reader, snapshot_header_version) || !reader.ok() ||
                reader.remaining() != 0) {
                return fail("the SnapshotHeaderRecord does not parse");
            }
            out_.last_contained_log_timestamp = header.last_contained_log_timestamp;
            header_seen_ = true;
            return true;
        }
        switch (*type) {
            case control_type_snapshot_footer:
                if (!last_in_batch) return fail("records follow the SnapshotFooterRecord");
                footer_seen_ = true;
                return true;
            case control_type_kraft_version:
            case control_type_kraft_voters:
                return true;  // the voter set: static here (controller.quorum.voters)
            default:
                return fail(fmt::format("an unexpected control record of type {}", *type));
        }
    }

    snapshot_contents& out_;
    bool header_seen_ = false;
    bool footer_seen_ = false;
    std::string error_;
};

}  // namespace

log::result<snapshot_contents> read_snapshot(log::filesystem& fs, const std::string& dir,
                                             snapshot_id id, std::string& error) {
    auto bytes = log::read_whole_file(fs, log::join_path(dir, snapshot_file_name(id)));
    if (!bytes) return bytes.error();
    snapshot_contents out;
    out.id = id;
    out.size_bytes = bytes->size();
    snapshot_parser parser(out);
    record::batch_scanner scanner(bytes->data(), bytes->size());
    record::batch_view view;
    record::scan_status status;
    while ((status = scanner.next(view)) == record::scan_status::ok) {
        std::optional<decoded_batch> batch = decode_batch(view, error);
        if (!batch) {
            error = fmt::format("batch at byte {}: {}", scanner.position() - view.size(), error);
            return log::errc::corrupt_checkpoint;
        }
        if (!parser.take(*batch)) {
            error = parser.error();
            return log::errc::corrupt_checkpoint;
        }
    }
    if (status != record::scan_status::end) {
        error = fmt::format("at byte {}: {}", scanner.position(), scanner.reason());
        return log::errc::corrupt_checkpoint;
    }
    if (!parser.finish()) {
        error = parser.error();
        return log::errc::corrupt_checkpoint;
    }
    return out;
}

}  // namespace eddy::raft
