// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/create_acls.h"

#include "broker/handlers/no_authorizer.h"

namespace eddy::broker {

create_acls_handler::response create_acls_handler::handle(request_context& /*ctx*/, request&& req) {
    response resp;
    refuse_all_without_authorizer(resp.results, req.creations.size());
    return resp;
}

}  // namespace eddy::broker
