// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/describe_acls.h"

#include "eddy/error_code.h"

namespace eddy::broker {

describe_acls_handler::response describe_acls_handler::handle(request_context& /*ctx*/,
                                                              request&& /*req*/) {
    response resp;
    resp.error_code = wire_code(error_code::security_disabled);
    resp.error_message = "No Authorizer is configured on the broker";  // Kafka's words
    return resp;
}

}  // namespace eddy::broker
