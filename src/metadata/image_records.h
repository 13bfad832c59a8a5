// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The image's structs and the records that create them, converted both ways from one list
// of shared fields: replay reads a record into the image, a snapshot writes the image back
// as that record, and neither can forget a field the other copies.
#pragma once

#include "metadata/metadata_image.h"
#include "metadata/metadata_record.h"

namespace eddy::metadata {

// RegisterBrokerRecord <-> broker_registration.
broker_registration to_registration(const msg::register_broker_record& r);
msg::register_broker_record to_record(const broker_registration& b);

// PartitionRecord <-> partition_state (the record also names its topic and index).
partition_state to_partition_state(const msg::partition_record& r);
msg::partition_record to_record(const codec::uuid& topic_id, int32_t partition,
                                const partition_state& p);

}  // namespace eddy::metadata
