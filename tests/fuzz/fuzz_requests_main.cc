// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// libFuzzer entry point: `eddy_fuzz_requests [corpus dirs...]`, built with -DEDDY_FUZZ=ON.
#include "request_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    eddy::fuzz::fuzz_request_stream(data, size);
    return 0;
}
