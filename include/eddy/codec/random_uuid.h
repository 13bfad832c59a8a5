// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// New uuids the way Kafka makes them (Uuid.randomUuid), for topic, directory, cluster,
// incarnation and KIP-848 member ids.
#pragma once

#include <cstdint>
#include <random>

#include "eddy/codec/types.h"

namespace eddy::codec {

// A seed from the system's entropy source (std::random_device), for the generators below.
uint64_t random_seed();

// A random version-4 uuid that is neither reserved (Uuid.ZERO_UUID, Uuid.ONE_UUID, which is
// also the metadata topic's id) nor one whose text form (to_string) starts with '-', which a
// command line would take for an option. Callers with ids of their own to avoid (topics that
// exist, directories in use) draw again while they get one of those.
uuid random_uuid(std::mt19937_64& rng);
// The same from a generator seeded for this one call, for ids made once per process.
uuid random_uuid();

}  // namespace eddy::codec
