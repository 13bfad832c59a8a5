// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// An image written back as records: the content of a metadata snapshot.
#pragma once

#include <vector>

#include "metadata/metadata_image.h"
#include "metadata/metadata_record.h"

namespace eddy::metadata {

// Records that rebuild `image` when replayed onto an empty image (as Kafka's ImageWriter
// writes a snapshot): features first, then brokers, topics with their partitions, configs,
// and the producer-id high-water mark. Replay(empty, snapshot_records(i)) == i.
std::vector<versioned_record> snapshot_records(const metadata_image& image);

}  // namespace eddy::metadata
