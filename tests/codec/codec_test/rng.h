// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Seeded source of random field values for the generated fill_random() functions.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "eddy/codec/types.h"

namespace eddy::codec_test {

// Deterministic (splitmix64) so a failing seed can be replayed. Integers lean towards
// the edges (0, -1, min, max) where encodings differ; collections shrink with depth
// so nested messages stay small. Owns the bytes behind every view it hands out.
class rng {
public:
    explicit rng(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
    bool chance(int one_in) { return below(static_cast<uint64_t>(one_in)) == 0; }

    template <class T>
    T integer() {
        switch (below(6)) {
            case 0: return 0;
            case 1: return std::numeric_limits<T>::max();
            case 2: return std::numeric_limits<T>::min();
            case 3: return static_cast<T>(below(200));
            default: return static_cast<T>(next());
        }
    }
    double real() { return static_cast<double>(static_cast<int64_t>(next() >> 11)) / 1024.0; }
    codec::uuid id() {
        codec::uuid u;
        for (auto& b : u.bytes) b = static_cast<uint8_t>(next());
        return u;
    }
    std::string text() {
        std::string s(below(depth_ > 2 ? 4 : 12), ' ');
        for (auto& c : s) c = static_cast<char>(chance(8) ? 0x80 + below(0x40) : 'a' + below(26));
        return s;
    }
    std::vector<uint8_t> blob() {
        std::vector<uint8_t> b(below(16));
        for (auto& x : b) x = static_cast<uint8_t>(next());
        return b;
    }
    codec::bytes_view view() {
        storage_.push_back(blob());
        return codec::bytes_view{storage_.back().data(), storage_.back().size(), false};
    }
    int count() { return static_cast<int>(below(depth_ >= 3 ? 2 : 4)); }
    void enter() { ++depth_; }
    void leave() { --depth_; }

private:
    uint64_t state_;
    int depth_ = 0;
    std::deque<std::vector<uint8_t>> storage_;
};

}  // namespace eddy::codec_test
