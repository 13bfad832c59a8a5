// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "log/errc.h"

#include <string>

namespace eddy::log {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "eddy.log"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::offset_out_of_range: return "offset outside the log's range";
            case errc::record_list_too_large: return "batches larger than segment.bytes";
            case errc::invalid_batches: return "not a sequence of whole magic-2 record batches";
            case errc::corrupt_index: return "index file failed its sanity check";
            case errc::corrupt_checkpoint: return "checkpoint file could not be parsed";
            case errc::unexpected_eof: return "file shorter than expected";
            case errc::log_failed: return "log failed after an unrecoverable write error";
            case errc::out_of_order_sequence: return "out of order sequence number";
            case errc::invalid_producer_epoch: return "producer epoch older than the last one seen";
            case errc::invalid_txn_state: return "batch outside the producer's transaction state";
            case errc::coordinator_fenced: return "transaction marker from an older coordinator epoch";
        }
        return "unknown log error";
    }
};

}  // namespace

const std::error_category& log_category() {
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) { return {static_cast<int>(e), log_category()}; }

}  // namespace eddy::log
