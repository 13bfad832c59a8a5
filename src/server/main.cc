// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// `eddy [server.properties] [--override key=value]...`, like kafka-server-start.sh.
#include <cstdio>
#include <exception>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "common/logging.h"
#include "config/config_error.h"
#include "config/properties.h"
#include "server/broker_server.h"

namespace {

void print_usage() {
    std::fputs(
        "usage: eddy [path/to/server.properties] [--override key=value]...\n"
        "With no file, serves PLAINTEXT://localhost:9092 with data in ./eddy-data.\n"
        "Keys follow Kafka's server.properties; eddy.log.level sets the log level.\n",
        stdout);
}

// A Produce request's body (about a MB from most clients) is one allocation that lives
// until the partitions have appended it. By default glibc hands a heap's free top back to
// the kernel once it passes twice the largest body seen, so the next body faults in fresh
// (zeroed) pages for the socket read to fill: up to a third of the pages received while
// 1 KiB records were produced at 1 GB/s, and 8% of the broker's CPU in one profile.
// Keeping freed memory for reuse ends that; what is kept is bounded by the peak of the
// bodies in flight at once, which max_in_flight and socket.request.max.bytes bound.
void keep_freed_request_memory() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);  // glibc's upper limit on 64-bit
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}

}  // namespace

int main(int argc, char** argv) {
    keep_freed_request_memory();
    eddy::config::broker_config cfg;
    eddy::config::properties props;
    try {
        eddy::config::command_line cmd = eddy::config::parse_command_line(argc, argv);
        if (cmd.help) {
            print_usage();
            return 0;
        }
        // What load_config() reads, kept whole: the controller wants Kafka keys that
        // broker_config has no field for.
        props = eddy::config::load_properties(cmd);
        cfg = eddy::config::config_from_properties(props);
    } catch (const eddy::config::config_error& e) {
        std::fprintf(stderr, "eddy: %s\n", e.what());
        print_usage();
        return 2;
    }
    try {
        return eddy::server::run_until_signalled(cfg, props);
    } catch (const std::exception& e) {
        // Startup failures only (a port in use, an unwritable log dir): the serving
        // loop itself never throws.
        std::fprintf(stderr, "eddy: %s\n", e.what());
        return 1;
    }
}
