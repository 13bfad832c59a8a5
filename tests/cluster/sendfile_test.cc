// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include <doctest/doctest.h>

#include "cluster_fixture.h"
#include "broker/handlers/fetch_response_writer.h"
#include "log/filesystem.h"
#include "net/server.h"
#include "test_client.h"

namespace eddy::cluster::test {
namespace {

net::server_options loopback() {
    net::server_options o;
    o.listeners.push_back({"PLAINTEXT", "127.0.0.1", 0});
    o.threads = 1;
    return o;
}

TEST_CASE("a reply made of bytes and file ranges arrives as one frame, ranges sent from the file") {
    cluster_fixture f;
    f.create_topic({.name = "t1"});
    for (int i = 0; i < 3; ++i) REQUIRE(f.produce_error("t1", 0, simple_batch(4, 3000)) == 0);
    // A Fetch result with its record sets as file slices, and the same flattened.
    msg::fetch_request req;
    req.max_bytes = 1 << 20;
    auto& t = req.topics.emplace_back();
    t.topic = "t1";
    t.partitions.push_back({});
    t.partitions[0].partition_max_bytes = 1 << 20;
    auto ctx = f.context(1, 12);
    broker::fetch_result r = cluster_fixture::run([&]() -> asio::awaitable<broker::fetch_result> {
        co_return co_await broker::fetch_handler::handle(f.replicas(), ctx, std::move(req));
    }());
    broker::sliced_response sliced = broker::write_fetch_response(ctx, r);
    REQUIRE(sliced.pieces.size() >= 2);
    std::vector<uint8_t> expected = sliced.flatten();

    net::server server(loopback(), [&](std::shared_ptr<const net::peer_info>, frame_bytes)
                                       -> net::awaitable<net::reply> {
        net::reply out;
        for (const broker::response_piece& p : sliced.pieces) {
            net::reply_piece np;
            np.bytes = p.bytes;
            if (p.file) {
                np.file = net::file_range{p.file->log_file, p.file->log_file->native_handle(),
                                          p.file->position, p.file->length};
            }
            out.pieces.push_back(std::move(np));
        }
        co_return out;
    });
    auto bound = server.start();
    eddy::test::raw_client c(bound[0].endpoint.port());
    for (int i = 0; i < 2; ++i) {
        c.send_frame({1, 2, 3});
        auto got = c.receive_frame();
        REQUIRE(got.has_value());
        CHECK(*got == expected);
    }
    server.stop();
}

}  // namespace
}  // namespace eddy::cluster::test
