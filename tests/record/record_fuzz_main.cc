// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// libFuzzer entry point for record batches (EDDY_FUZZ builds only).
#include "record_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    eddy::record::test::exercise_record_bytes(data, size);
    return 0;
}
