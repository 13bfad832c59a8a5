// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
#include "broker/meta_properties.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "config/config_error.h"
#include "config/properties.h"
#include "eddy/codec/random_uuid.h"
#include "eddy/codec/uuid_text.h"

namespace eddy::broker {
namespace fs = std::filesystem;
using config::config_error;

namespace {

struct stored {
    std::string cluster_id;
    int32_t node_id = -1;
    std::optional<codec::uuid> directory_id;  // absent in files written before Kafka 3.7
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
    if (auto did = p.find("directory.id"); did != p.end()) {
        s.directory_id = codec::uuid_from_string(did->second);
        if (!s.directory_id) throw config_error(file.string() + ": directory.id is not a uuid");
        if (reserved_directory_id(*s.directory_id))
            throw config_error(file.string() + ": directory.id " + did->second + " is reserved");
    }
    return s;
}

void write_meta(const fs::path& dir, const std::string& cluster_id, int32_t node_id,
                const codec::uuid& directory_id) {
    // Written to a temporary name and renamed, so a crash never leaves half a file.
    fs::path tmp = dir / "meta.properties.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "#\n# Written by eddy. Identifies the cluster, node and directory this is.\n"
            << "cluster.id=" << cluster_id << "\n"
            << "directory.id=" << codec::to_string(directory_id) << "\n"
            << "node.id=" << node_id << "\n"
            << "version=1\n";
        out.flush();
        if (!out) throw config_error("cannot write " + tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, dir / "meta.properties", ec);
    if (ec) throw config_error("cannot write " + (dir / "meta.properties").string() + ": " + ec.message());
}

// Kafka's rules for a new directory id (MetaPropertiesEnsemble.generateValidDirectoryId):
// 128 random bits (not a version-4 uuid), not reserved, no leading '-' in its text form,
// and not another dir's id.
codec::uuid random_directory_id(const std::vector<codec::uuid>& taken) {
    std::random_device rd;
    while (true) {
        codec::uuid id;
        for (auto& b : id.bytes) b = static_cast<uint8_t>(rd());
        if (reserved_directory_id(id) || codec::text_starts_with_dash(id)) continue;
        if (std::find(taken.begin(), taken.end(), id) == taken.end()) return id;
    }
}

}  // namespace

std::string random_cluster_id() {
    return codec::to_string(codec::random_uuid());
}

bool reserved_directory_id(const codec::uuid& id) {
    // Uuid's two halves are Java longs, so the low one is compared signed: msb == 0 and lsb < 100.
    uint64_t msb = 0, lsb = 0;
    for (int i = 0; i < 8; ++i) msb = (msb << 8) | id.bytes[i];
    for (int i = 8; i < 16; ++i) lsb = (lsb << 8) | id.bytes[i];
    return msb == 0 && static_cast<int64_t>(lsb) < 100;
}

log_dir_identity ensure_meta_properties(const std::vector<std::string>& log_dirs, int32_t node_id,
                                        const std::optional<std::string>& configured_cluster_id) {
    std::optional<std::string> cluster_id;
    std::vector<std::optional<stored>> found;
    std::vector<codec::uuid> taken;  // the directory ids already on disk
    // A dir named twice (metadata.log.dir spelled otherwise than its log.dirs entry, say) is
    // one dir with one id: same_as[i] is the first index of dir i.
    std::vector<fs::path> canonical;
    std::vector<size_t> same_as;
    for (const std::string& d : log_dirs) {
        fs::path dir(d);
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw config_error("cannot create log dir " + d + ": " + ec.message());
        canonical.push_back(fs::weakly_canonical(dir, ec));
        if (ec) throw config_error("cannot resolve log dir " + d + ": " + ec.message());
        same_as.push_back(std::find(canonical.begin(), canonical.end(), canonical.back()) - canonical.begin());
        if (same_as.back() != same_as.size() - 1) {
            found.push_back(found[same_as.back()]);
            continue;
        }
        std::optional<stored> s = read_meta(dir / "meta.properties");
        found.push_back(s);
        if (!s) continue;
        if (s->node_id != node_id)
            throw config_error(d + "/meta.properties has node.id=" + std::to_string(s->node_id) +
                               " but node.id is " + std::to_string(node_id));
        if (cluster_id && *cluster_id != s->cluster_id)
            throw config_error("log dirs belong to different clusters: " + *cluster_id + " and " +
                               s->cluster_id);
        cluster_id = s->cluster_id;
        if (!s->directory_id) continue;
        if (std::find(taken.begin(), taken.end(), *s->directory_id) != taken.end())
            throw config_error("directory.id " + codec::to_string(*s->directory_id) +
                               " of " + d + " is also another log dir's");
        taken.push_back(*s->directory_id);
    }
    if (cluster_id && configured_cluster_id && *cluster_id != *configured_cluster_id)
        throw config_error("cluster.id " + *configured_cluster_id + " differs from the stored " + *cluster_id);
    if (!cluster_id) cluster_id = configured_cluster_id ? *configured_cluster_id : random_cluster_id();

    log_dir_identity out{*cluster_id, {}};
    for (size_t i = 0; i < log_dirs.size(); ++i) {
        if (same_as[i] != i) {
            out.directory_ids.push_back(out.directory_ids[same_as[i]]);
            continue;
        }
        if (found[i] && found[i]->directory_id) {
            out.directory_ids.push_back(*found[i]->directory_id);
            continue;
        }
        codec::uuid id = random_directory_id(taken);
        taken.push_back(id);
        write_meta(log_dirs[i], *cluster_id, node_id, id);
        out.directory_ids.push_back(id);
    }
    return out;
}

}  // namespace eddy::broker
