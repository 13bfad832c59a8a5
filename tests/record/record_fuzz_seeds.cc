// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Writes the record batch fuzzer's seed corpus: `eddy_fuzz_record_seeds DIR`. One file per
// honest input a producer can send: magic-2 batches in every codec (keys, null values,
// headers, idempotent and transactional producers, LogAppendTime) and legacy message sets
// (magic 0 and 1, plain and compressed), so the fuzzer starts behind the CRC and the codecs.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "batch_builder.h"
#include "legacy_builder.h"

namespace {

using eddy::record::compression;
namespace rt = eddy::record::test;
namespace legacy = eddy::test::legacy;

std::vector<rt::test_record> sample_records() {
    std::vector<rt::test_record> records;
    for (int i = 0; i < 6; ++i) {
        std::vector<rt::test_header> headers;
        if (i % 2 == 0) headers = {{"trace", "t" + std::to_string(i)}, {"empty", std::nullopt}};
        records.emplace_back("key" + std::to_string(i), std::string(20 + i * 7, 'a' + i), i * 3,
                             std::move(headers));
    }
    records.emplace_back(std::nullopt, std::nullopt, 20);  // null key, tombstone value
    return records;
}

// Counts what it writes, for the closing line.
size_t written = 0;

void write(const std::filesystem::path& dir, const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream out(dir / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ++written;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: eddy_fuzz_record_seeds DIR\n");
        return 2;
    }
    const std::filesystem::path dir(argv[1]);
    std::filesystem::create_directories(dir);
    for (compression codec : rt::all_codecs) {
        const std::string name(eddy::record::to_string(codec));
        rt::test_batch plain;
        plain.codec = codec;
        plain.records = sample_records();
        write(dir, "v2-" + name, rt::build_batch(plain));

        rt::test_batch idempotent = plain;
        idempotent.producer_id = 7;
        idempotent.producer_epoch = 0;
        idempotent.base_sequence = 0;
        write(dir, "v2-" + name + "-idempotent", rt::build_batch(idempotent));

        rt::test_batch transactional = idempotent;
        transactional.transactional = true;
        write(dir, "v2-" + name + "-transactional", rt::build_batch(transactional));

        rt::test_batch append_time = plain;
        append_time.ts_type = eddy::record::timestamp_type::log_append_time;
        write(dir, "v2-" + name + "-log-append-time", rt::build_batch(append_time));
    }

    const std::vector<legacy::message> messages = {
        {"k0", "first value", 1'700'000'000'000}, {std::nullopt, "no key", 1'700'000'000'001},
        {"k2", std::nullopt, 1'700'000'000'002}};
    for (int8_t magic : {int8_t{0}, int8_t{1}}) {
        const std::string prefix = "v" + std::to_string(magic) + "-";
        write(dir, prefix + "none", legacy::plain_set(magic, messages));
        // Kafka never took zstd in magic 0/1 wrappers.
        for (compression codec : {compression::gzip, compression::snappy, compression::lz4}) {
            write(dir, prefix + std::string(eddy::record::to_string(codec)),
                  legacy::compressed_set(magic, codec, messages));
        }
    }
    std::printf("eddy_fuzz_record_seeds: %zu seeds in %s\n", written, dir.c_str());
    return 0;
}
