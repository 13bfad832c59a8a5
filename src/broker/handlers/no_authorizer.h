// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Eddy has no authorizer, so the ACL apis answer as a Kafka broker without
// authorizer.class.name does (AclApis): SECURITY_DISABLED for everything asked.
#pragma once

#include <cstddef>
#include <string>

#include "eddy/error_code.h"

namespace eddy::broker {

// One refusal per entry asked for, in order, as Kafka's error response for CreateAcls and
// DeleteAcls has, with Kafka's message.
template <class Results>
void refuse_all_without_authorizer(Results& results, size_t count) {
    results.resize(count);
    for (auto& result : results) {
        result.error_code = wire_code(error_code::security_disabled);
        result.error_message = std::string("No Authorizer is configured.");
    }
}

}  // namespace eddy::broker
