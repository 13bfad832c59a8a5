// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/meta_properties.h"

#include <filesystem>
#include <fstream>
#include <random>

#include "config/config_error.h"
#include "config/properties.h"
#include "metadata/uuid_text.h"

namespace eddy::broker {
namespace fs = std::filesystem;
using config::config_error;

namespace {

struct stored {
    std::string cluster_id;
    int32_t node_id = -1;
};

std::optional<stored> read_meta(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::nullopt;
    config::properties p = config::load_properties_file(file.string());
    auto version = p.find("version");
    if (version == p.end() || version->second != "1")
        throw config_error(file.string() + ": only version=1 (KRaft) meta.properties is supported");
    stored s;
    auto cid = p.find("cluster.id");
    if (cid == p.end() || cid->second.empty()) throw config_error(file.string() + ": no cluster.id");
    s.cluster_id = cid->second;
    auto nid = p.find("node.id");
    if (nid == p.end()) throw config_error(file.string() + ": no node.id");
    try {
        s.node_id = std::stoi(nid->second);
    } catch (const std::exception&) {
        throw config_error(file.string() + ": node.id is not a number");
    }
    return s;
}

void write_meta(const fs::path& dir, const std::string& cluster_id, int32_t node_id) {
    // Written to a temporary name and renamed, so a crash never leaves half a file.
    fs::path tmp = dir / "meta.properties.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "#\n# Written by eddy. Identifies the cluster and node this directory belongs to.\n"
            << "cluster.id=" << cluster_id << "\n"
            << "node.id=" << node_id << "\n"
            << "version=1\n";
        out.flush();
        if (!out) throw config_error("cannot write " + tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, dir / "meta.properties", ec);
    if (ec) throw config_error("cannot write " + (dir / "meta.properties").string() + ": " + ec.message());
}

}  // namespace

std::string random_cluster_id() {
    std::random_device rd;
    while (true) {
        codec::uuid bytes;
        for (auto& b : bytes.bytes) b = static_cast<uint8_t>(rd());
        // Kafka's text form of a uuid (Uuid.toString).
        std::string id = metadata::to_string(bytes);
        if (!bytes.is_zero() && id.front() != '-') return id;
    }
}

std::string ensure_meta_properties(const std::vector<std::string>& log_dirs, int32_t node_id,
                                   const std::optional<std::string>& configured_cluster_id) {
    std::optional<std::string> cluster_id;
    std::vector<fs::path> missing;
    for (const std::string& d : log_dirs) {
        fs::path dir(d);
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw config_error("cannot create log dir " + d + ": " + ec.message());
        std::optional<stored> s = read_meta(dir / "meta.properties");
        if (!s) {
            missing.push_back(dir);
            continue;
        }
        if (s->node_id != node_id)
            throw config_error(d + "/meta.properties has node.id=" + std::to_string(s->node_id) +
                               " but node.id is " + std::to_string(node_id));
        if (cluster_id && *cluster_id != s->cluster_id)
            throw config_error("log dirs belong to different clusters: " + *cluster_id + " and " +
                               s->cluster_id);
        cluster_id = s->cluster_id;
    }
    if (cluster_id && configured_cluster_id && *cluster_id != *configured_cluster_id)
        throw config_error("cluster.id " + *configured_cluster_id + " differs from the stored " + *cluster_id);
    if (!cluster_id) cluster_id = configured_cluster_id ? *configured_cluster_id : random_cluster_id();
    for (const fs::path& dir : missing) write_meta(dir, *cluster_id, node_id);
    return *cluster_id;
}

}  // namespace eddy::broker
