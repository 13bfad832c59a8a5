// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include <random>

#include "batch_builder.h"
#include "record_fuzz.h"

namespace eddy::record {

TEST_SUITE("record.fuzz") {
    TEST_CASE("randomly mutated batches in every codec never break the parsers") {
        std::mt19937 rng(2024);
        for (compression c : {compression::none, compression::gzip, compression::snappy,
                              compression::lz4, compression::zstd}) {
            test::test_batch t;
            t.codec = c;
            for (int i = 0; i < 6; ++i) {
                t.records.push_back({"key" + std::to_string(i), std::string(50, 'v'), i, {{"h", "x"}}});
            }
            const auto good = test::build_batch(t);
            test::exercise_record_bytes(good.data(), good.size());
            for (int round = 0; round < 400; ++round) {
                auto bytes = good;
                int flips = 1 + static_cast<int>(rng() % 4);
                for (int f = 0; f < flips; ++f) {
                    bytes[rng() % bytes.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
                }
                if (rng() % 3 == 0) bytes.resize(rng() % bytes.size());
                // Half the time make the CRC right again, so the parsers behind it run.
                if (rng() % 2 == 0 && bytes.size() >= batch_header_size) test::fix_crc(bytes);
                test::exercise_record_bytes(bytes.data(), bytes.size());
            }
        }
    }
}

}  // namespace eddy::record
