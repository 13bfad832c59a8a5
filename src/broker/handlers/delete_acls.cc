// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/handlers/delete_acls.h"

#include "broker/handlers/no_authorizer.h"

namespace eddy::broker {

delete_acls_handler::response delete_acls_handler::handle(request_context& /*ctx*/, request&& req) {
    response resp;
    refuse_all_without_authorizer(resp.filter_results, req.filters.size());  // and no matches
    return resp;
}

}  // namespace eddy::broker
