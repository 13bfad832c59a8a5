// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Runs the real `eddy` executable, as a user would, and talks to it.
#include <doctest/doctest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "eddy/msg/api_versions_request.h"
#include "eddy/msg/api_versions_response.h"
#include "eddy/msg/metadata_request.h"
#include "eddy/msg/metadata_response.h"
#include "kafka_client.h"

extern char** environ;
namespace fs = std::filesystem;
using namespace eddy;

namespace {

// The eddy process, its stdout, and the port it printed. The destructor makes sure
// the process is gone.
struct eddy_process {
    pid_t pid = -1;
    FILE* out = nullptr;
    uint16_t port = 0;
    fs::path dir = fs::temp_directory_path() / ("eddy_proc_" + std::to_string(::getpid()));

    explicit eddy_process(std::vector<std::string> extra = {}) {
        fs::remove_all(dir);
        int pipe_fds[2];
        REQUIRE(::pipe(pipe_fds) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
        posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
        std::vector<std::string> args{EDDY_BINARY, "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                                      "--override", "log.dirs=" + dir.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        REQUIRE(posix_spawn(&pid, EDDY_BINARY, &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        ::close(pipe_fds[1]);
        out = ::fdopen(pipe_fds[0], "r");
        // Blocks until the line appears or the process exits (EOF).
        char line[512];
        const std::string prefix = "eddy: listening on PLAINTEXT://127.0.0.1:";
        while (std::fgets(line, sizeof line, out)) {
            std::string s(line);
            if (s.rfind(prefix, 0) == 0) {
                port = static_cast<uint16_t>(std::stoi(s.substr(prefix.size())));
                break;
            }
        }
    }

    // Sends `sig` and returns the exit status (-1 when not a normal exit).
    int stop(int sig = SIGTERM) {
        if (pid <= 0) return -1;
        ::kill(pid, sig);
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    ~eddy_process() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        if (out) std::fclose(out);
        fs::remove_all(dir);
    }
};

}  // namespace

TEST_SUITE("server.process") {
    TEST_CASE("eddy prints the port it bound, survives a bad frame and exits 0 on SIGTERM") {
        eddy_process p;
        REQUIRE(p.port != 0);
        test::kafka_client bad(p.port);
        bad.send_raw({0xff, 0xff, 0xff, 0xff});
        CHECK(bad.closed_by_server());

        test::kafka_client good(p.port);
        auto av = good.call<msg::api_versions_response>(test::api_versions_request(), 3);
        REQUIRE(av);
        CHECK(av->body.error_code == 0);
        auto md = good.call<msg::metadata_response>(msg::metadata_request{}, 1);
        REQUIRE(md);
        CHECK(md->body.brokers.size() == 1);
        CHECK(md->body.brokers[0].port == p.port);
        CHECK(p.stop(SIGTERM) == 0);
        CHECK(fs::exists(p.dir / "meta.properties"));
    }

    TEST_CASE("eddy exits 0 on SIGINT with a connection still open") {
        eddy_process p;
        REQUIRE(p.port != 0);
        test::kafka_client idle(p.port);
        CHECK(idle.call<msg::api_versions_response>(test::api_versions_request(), 0));
        CHECK(p.stop(SIGINT) == 0);
        CHECK(idle.closed_by_server());
    }

    TEST_CASE("eddy refuses a bad config value with a non-zero exit") {
        eddy_process p({"--override", "node.id=abc"});
        CHECK(p.port == 0);
        int status = 0;
        ::waitpid(p.pid, &status, 0);
        p.pid = -1;
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) != 0);
    }
}
