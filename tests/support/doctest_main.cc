// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The one doctest runner every test binary links (eddy_test_main): compiling doctest's
// implementation costs seconds, so a build tree does it once, not once per binary.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "common/logging.h"

int main(int argc, char** argv) {
    // Recovery and failure tests log warnings on purpose; show only errors and worse.
    // Through Eddy's levels, not spdlog's global one: the components' loggers take theirs
    // from Eddy's root level when they are made, whatever spdlog's global level says.
    eddy::set_log_level(spdlog::level::err);
    doctest::Context context(argc, argv);
    return context.run();
}
