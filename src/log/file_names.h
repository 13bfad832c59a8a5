// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Kafka's names for the files of a log directory (LogFileUtils and friends).
// Formats: src/log/segment_format.md, index_format.md, checkpoint_format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace eddy::log {

inline constexpr std::string_view log_suffix = ".log";
inline constexpr std::string_view index_suffix = ".index";
inline constexpr std::string_view time_index_suffix = ".timeindex";
// The aborted-transaction index (txn_index.h).
inline constexpr std::string_view txn_index_suffix = ".txnindex";
inline constexpr std::string_view deleted_suffix = ".deleted";
inline constexpr std::string_view tmp_suffix = ".tmp";
// The log cleaner's replacement for a segment, written beside it (every file name plus
// this), then renamed .swap once whole; a .log.swap is the commit point (log_clean.cc).
inline constexpr std::string_view cleaned_suffix = ".cleaned";
inline constexpr std::string_view swap_suffix = ".swap";
// Producer state snapshots, named by the offset the state reflects (producer_snapshot.h).
inline constexpr std::string_view snapshot_suffix = ".snapshot";

// In each partition directory.
inline constexpr std::string_view leader_epoch_checkpoint_name = "leader-epoch-checkpoint";
// In each log directory (one of log.dirs), shared by its partitions.
inline constexpr std::string_view recovery_point_checkpoint_name = "recovery-point-offset-checkpoint";
inline constexpr std::string_view log_start_offset_checkpoint_name = "log-start-offset-checkpoint";
inline constexpr std::string_view clean_shutdown_file_name = ".kafka_cleanshutdown";

// "00000000000000000042" + suffix: the base offset as 20 zero-padded digits.
std::string segment_file_name(int64_t base_offset, std::string_view suffix);
// The base offset when `name` is 20 digits followed by exactly `suffix`.
std::optional<int64_t> parse_segment_file_name(std::string_view name, std::string_view suffix);

// "<topic>-<partition>".
std::string partition_dir_name(std::string_view topic, int32_t partition);
// Splits at the last '-'; nullopt when there is no valid partition number.
std::optional<std::pair<std::string, int32_t>> parse_partition_dir_name(std::string_view name);

}  // namespace eddy::log
