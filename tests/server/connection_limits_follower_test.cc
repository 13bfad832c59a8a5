// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "server/connection_limits_follower.h"

#include "config/config_error.h"
#include "metadata/metadata_delta.h"

#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>

using namespace eddy;

namespace {

using statics_t = std::map<std::string, std::string, std::less<>>;

// `image` with the broker resource `resource` ("1": this node, "": the cluster default)
// given `configs` (nullopt deletes a key).
metadata::image_ptr with_broker_configs(
    metadata::image_ptr image, const std::string& resource,
    const std::map<std::string, std::optional<std::string>>& configs) {
    metadata::metadata_delta delta(image);
    for (const auto& [name, value] : configs) {
        msg::config_record c;
        c.resource_type = static_cast<int8_t>(metadata::resource_type::broker);
        c.resource_name = resource;
        c.name = name;
        c.value = value;
        if (!delta.apply(c).ok()) throw std::runtime_error("config record");
    }
    return delta.build();
}

}  // namespace

TEST_SUITE("server.connection_limits_follower") {
    TEST_CASE("static limits first, then this broker's and the cluster default's dynamic ones") {
        server::connection_limits_follower f(1, statics_t{{"max.connections.per.ip", "4"}});
        CHECK(f.current().max_per_ip == 4);
        CHECK(f.current().max_connections == INT32_MAX);

        auto image =
            with_broker_configs(metadata::metadata_image::empty(), "", {{"max.connections", "7"}});
        image =
            with_broker_configs(image, "1", {{"max.connections.per.ip.overrides", "127.0.0.1:9"}});
        f.apply(*image);
        CHECK(f.current().max_connections == 7);
        CHECK(f.current().max_per_ip == 4);
        REQUIRE(f.current().per_ip_overrides.size() == 1);
        CHECK(f.current().per_ip_overrides.begin()->second == 9);

        // Overrides that do not parse leave the ones in force.
        f.apply(*with_broker_configs(image, "1",
                                     {{"max.connections.per.ip.overrides", "127.0.0.1:x"}}));
        CHECK(f.current().per_ip_overrides.size() == 1);

        // Deleting the dynamic value falls back to the static one.
        f.apply(*with_broker_configs(image, "", {{"max.connections", std::nullopt}}));
        CHECK(f.current().max_connections == INT32_MAX);
    }

    TEST_CASE("a zero per-address limit applies only with overrides, so some address can connect") {
        server::connection_limits_follower f(1, statics_t{});
        auto image = with_broker_configs(metadata::metadata_image::empty(), "1",
                                         {{"max.connections.per.ip", "0"}});
        f.apply(*image);
        CHECK(f.current().max_per_ip == INT32_MAX);  // not applied: nobody could connect
        f.apply(*with_broker_configs(image, "1",
                                     {{"max.connections.per.ip.overrides", "127.0.0.1:2"}}));
        CHECK(f.current().max_per_ip == 0);
        CHECK(f.current().per_ip_overrides.size() == 1);
    }

    TEST_CASE("static overrides that do not parse stop the broker from starting") {
        CHECK_THROWS_AS(server::connection_limits_follower(
                            1, statics_t{{"max.connections.per.ip.overrides", "a"}}),
                        config::config_error);
    }
}
