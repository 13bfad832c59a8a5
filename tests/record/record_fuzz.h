// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// One fuzz step over arbitrary bytes: the batch scanner, Produce validation, every codec,
// the legacy conversion and compression.type's rebuild of an accepted batch. Shared by the
// libFuzzer target (EDDY_FUZZ, ctest fuzz.record_batches) and the mutation unit test.
#pragma once

#include <cstddef>
#include <cstdint>

namespace eddy::record::test {

// Runs everything that parses untrusted batch bytes over [data, data + size) and
// aborts (via assert-like checks) if an invariant breaks; memory errors are for the
// sanitizers to find.
void exercise_record_bytes(const uint8_t* data, size_t size);

}  // namespace eddy::record::test
