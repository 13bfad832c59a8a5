// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Runs the request fuzzer's body over its corpus without libFuzzer, so every normal build
// (GCC, and GCC with ASan+UBSan) checks the seeds: `eddy_fuzz_replay DIR_OR_FILE...`.
// Each single-frame input is also replayed cut short at every byte, with the frame size
// shrunk to match, so each decoder sees its input end at every field boundary.
#include "request_fuzz.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay_truncations(const std::vector<uint8_t>& input) {
    if (input.size() < 4) return;
    size_t body =
        (size_t{input[0]} << 24) | (size_t{input[1]} << 16) | (size_t{input[2]} << 8) | input[3];
    if (body != input.size() - 4) return;  // not exactly one frame
    std::vector<uint8_t> cut;
    for (size_t n = 0; n < body; ++n) {
        cut.assign(input.begin(), input.begin() + 4 + static_cast<ptrdiff_t>(n));
        cut[0] = static_cast<uint8_t>(n >> 24);
        cut[1] = static_cast<uint8_t>(n >> 16);
        cut[2] = static_cast<uint8_t>(n >> 8);
        cut[3] = static_cast<uint8_t>(n);
        eddy::fuzz::fuzz_request_stream(cut.data(), cut.size());
    }
}

}  // namespace

int main(int argc, char** argv) {
    size_t inputs = 0;
    for (int i = 1; i < argc; ++i) {
        std::filesystem::path arg(argv[i]);
        std::vector<std::filesystem::path> files;
        if (std::filesystem::is_directory(arg)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator(arg))
                if (entry.is_regular_file()) files.push_back(entry.path());
        } else if (std::filesystem::is_regular_file(arg)) {
            files.push_back(arg);
        } else {
            std::fprintf(stderr, "eddy_fuzz_replay: %s does not exist\n", argv[i]);
            return 1;
        }
        for (const auto& file : files) {
            std::vector<uint8_t> input = read_file(file);
            eddy::fuzz::fuzz_request_stream(input.data(), input.size());
            replay_truncations(input);
            ++inputs;
        }
    }
    if (inputs == 0) {
        std::fprintf(stderr, "eddy_fuzz_replay: no inputs\n");
        return 1;
    }
    std::printf("eddy_fuzz_replay: %zu inputs replayed, each also cut at every byte\n", inputs);
    return 0;
}
