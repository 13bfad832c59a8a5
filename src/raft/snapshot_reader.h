// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Reads and checks one snapshot file of the metadata log (Kafka's RecordsSnapshotReader
// over a FileRawSnapshotReader). Format: snapshot_format.md.
#pragma once

#include "log/filesystem.h"
#include "raft/snapshot_path.h"

#include <cstdint>
#include <string>
#include <vector>

namespace eddy::raft {

// What a snapshot holds: the records (framed metadata records) that rebuild the state at
// its end offset, in order.
struct snapshot_contents {
    snapshot_id id;
    int64_t last_contained_log_timestamp = 0;  // from the SnapshotHeaderRecord
    std::vector<std::vector<uint8_t>> records;
    uint64_t size_bytes = 0;  // of the file
};

// Reads `<dir>/<id>.checkpoint` whole and checks it: every batch complete with a good
// CRC-32C; the first batch a control batch whose first record is a SnapshotHeaderRecord,
// the last a control batch holding a SnapshotFooterRecord, nothing after the footer.
// KRaftVersionRecord and VotersRecord control records (which Kafka writes after the header
// at kraft.version 1) are passed over; any other control record is refused. A file that
// fails a check is log::errc::corrupt_checkpoint with `error` saying why; a file that
// cannot be read gives the file layer's error.
log::result<snapshot_contents> read_snapshot(log::filesystem& fs, const std::string& dir,
                                             snapshot_id id, std::string& error);

}  // namespace eddy::raft
