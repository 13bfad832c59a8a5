// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "log/memory_filesystem.h"
#include "raft/quorum_state.h"

using namespace eddy;

TEST_SUITE("raft.quorum_state") {
    TEST_CASE("the file is written as Kafka's data_version 0 JSON line") {
        raft::election_state s{3, 1, 1, {1}};
        CHECK(raft::to_json(s) ==
              R"({"clusterId":"","leaderId":1,"leaderEpoch":3,"votedId":1,"appliedOffset":0,)"
              R"("currentVoters":[{"voterId":1}],"data_version":0})");
    }

    TEST_CASE("a file Kafka wrote in either data version is read") {
        std::string error;
        auto v0 = raft::parse_quorum_state(
            R"({"clusterId":"","leaderId":2,"leaderEpoch":7,"votedId":-1,"appliedOffset":0,"currentVoters":[{"voterId":1},{"voterId":2}],"data_version":0})",
            error);
        REQUIRE(v0);
        CHECK(*v0 == raft::election_state{7, 2, -1, {1, 2}});
        auto v1 = raft::parse_quorum_state(
            R"({"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"J8aAPcfLQt2bqs1JT_rMgQ","data_version":1})",
            error);
        REQUIRE(v1);
        CHECK(v1->leader_epoch == 2);
        CHECK(v1->voted_id == 1);
        CHECK(v1->voters.empty());
    }

    TEST_CASE("text that is not a quorum state is refused with a reason") {
        std::string error;
        CHECK_FALSE(raft::parse_quorum_state("", error));
        CHECK_FALSE(raft::parse_quorum_state(R"({"leaderId":1})", error));
        CHECK(error == "no data_version field");
        CHECK_FALSE(raft::parse_quorum_state(R"({"leaderEpoch":1,"data_version":2})", error));
        CHECK_FALSE(raft::parse_quorum_state(R"({"leaderEpoch":"x","data_version":0})", error));
        CHECK_FALSE(raft::parse_quorum_state(R"({"leaderEpoch":1,"data_version":0)", error));
        CHECK_FALSE(raft::parse_quorum_state(std::string(100, '[') + std::string(100, ']'), error));
    }

    TEST_CASE("a written state reads back, and a missing file reads as none") {
        log::memory_filesystem fs;
        REQUIRE_FALSE(fs.create_directories("/m/__cluster_metadata-0"));
        auto none = raft::read_quorum_state(fs, "/m/__cluster_metadata-0");
        REQUIRE(none);
        CHECK_FALSE(none->has_value());
        raft::election_state s{4, 1, 1, {1}};
        REQUIRE_FALSE(raft::write_quorum_state(fs, "/m/__cluster_metadata-0", s));
        auto back = raft::read_quorum_state(fs, "/m/__cluster_metadata-0");
        REQUIRE(back);
        REQUIRE(back->has_value());
        CHECK(**back == s);
    }
}
