// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/repeated_partitions.h"

#include <algorithm>
#include <numeric>

namespace eddy::broker {

repeated_partitions find_repeated_partitions(std::span<const partition_key> mentions) {
    repeated_partitions out;
    if (mentions.size() < 2) return out;
    std::vector<size_t> order(mentions.size());
    std::iota(order.begin(), order.end(), size_t{0});
    // Stable: the mentions of one partition stay in request order.
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return mentions[a] < mentions[b]; });
    for (size_t i = 0; i < order.size();) {
        size_t j = i + 1;
        while (j < order.size() && mentions[order[j]] == mentions[order[i]]) ++j;
        if (j - i > 1 && out.none()) {
            // The first repeat found: every mention so far stood alone.
            out.first.resize(mentions.size());
            std::iota(out.first.begin(), out.first.end(), size_t{0});
            out.last = out.first;
        }
        if (!out.none()) {
            for (size_t k = i; k < j; ++k) {
                out.first[order[k]] = order[i];
                out.last[order[k]] = order[j - 1];
            }
        }
        i = j;
    }
    return out;
}

}  // namespace eddy::broker
