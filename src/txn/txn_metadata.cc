// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "txn/txn_metadata.h"

#include <array>

namespace eddy::txn {
namespace {

constexpr std::array<std::string_view, 8> names = {
    "Empty", "Ongoing", "PrepareCommit", "PrepareAbort",
    "CompleteCommit", "CompleteAbort", "Dead", "PrepareEpochFence"};

}  // namespace

std::string_view state_name(txn_state state) {
    return names[static_cast<size_t>(state)];
}

std::optional<txn_state> state_from_name(std::string_view name) {
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return static_cast<txn_state>(i);
    return std::nullopt;
}

std::optional<txn_state> state_from_id(int8_t id) {
    if (id < 0 || id >= static_cast<int8_t>(names.size())) return std::nullopt;
    return static_cast<txn_state>(id);
}

bool valid_transition(txn_state from, txn_state to) {
    using s = txn_state;
    switch (to) {
        case s::empty: return from == s::empty || from == s::complete_commit || from == s::complete_abort;
        case s::ongoing:
            return from == s::ongoing || from == s::empty || from == s::complete_commit ||
                   from == s::complete_abort;
        case s::prepare_commit: return from == s::ongoing;
        case s::prepare_abort: return from == s::ongoing || from == s::prepare_epoch_fence;
        case s::complete_commit: return from == s::prepare_commit;
        case s::complete_abort: return from == s::prepare_abort;
        case s::dead: return expiration_allowed(from);
        case s::prepare_epoch_fence: return from == s::ongoing;
    }
    return false;
}

bool expiration_allowed(txn_state state) {
    return state == txn_state::empty || state == txn_state::complete_commit ||
           state == txn_state::complete_abort;
}

bool txn_metadata::same_durable_state(const txn_metadata& o) const {
    return transactional_id == o.transactional_id && producer_id == o.producer_id &&
           producer_epoch == o.producer_epoch && timeout_ms == o.timeout_ms && state == o.state &&
           partitions == o.partitions && start_ms == o.start_ms &&
           last_update_ms == o.last_update_ms;
}

}  // namespace eddy::txn
