// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// Writes the request fuzzer's seed corpus: `eddy_fuzz_seeds OUT_DIR`. One frame per
// (api key, version) with default field values, plus Metadata, Produce and Fetch requests
// that name topics and partitions and carry a real record batch, plus a two-frame stream.
#include "eddy/codec/writer.h"
#include "eddy/msg/all.h"
#include "eddy/msg/registry.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using bytes = std::vector<uint8_t>;

// CRC-32C (Castagnoli), as a record batch carries it.
uint32_t crc32c(const uint8_t* p, size_t n) {
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; ++i) {
        crc ^= p[i];
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// A magic-2 record batch holding one record with value "hello", as a producer sends it.
const bytes& record_batch() {
    static const bytes batch = [] {
        bytes record;
        eddy::codec::writer r(record);
        r.write_int8(0);     // attributes
        r.write_varlong(0);  // timestamp delta
        r.write_varint(0);   // offset delta
        r.write_varint(-1);  // key: null
        r.write_varint(5);   // value length
        r.write_raw("hello", 5);
        r.write_varint(0);  // headers

        bytes tail;  // from attributes to the end: what the CRC covers
        eddy::codec::writer t(tail);
        t.write_int16(0);              // attributes: no compression
        t.write_int32(0);              // last offset delta
        t.write_int64(1700000000000);  // base timestamp
        t.write_int64(1700000000000);  // max timestamp
        t.write_int64(-1);             // producer id
        t.write_int16(-1);             // producer epoch
        t.write_int32(-1);             // base sequence
        t.write_int32(1);              // record count
        t.write_varint(static_cast<int32_t>(record.size()));
        t.write_raw(record.data(), record.size());

        bytes out;
        eddy::codec::writer w(out);
        w.write_int64(0);                                              // base offset
        w.write_int32(static_cast<int32_t>(4 + 1 + 4 + tail.size()));  // batch length
        w.write_int32(-1);                                             // partition leader epoch
        w.write_int8(2);                                               // magic
        w.write_uint32(crc32c(tail.data(), tail.size()));
        w.write_raw(tail.data(), tail.size());
        return out;
    }();
    return batch;
}

// What a client puts in front of every request.
template <class Req>
bytes frame(const Req& request, int16_t version, int32_t correlation_id) {
    eddy::msg::request_header header;
    header.request_api_key = Req::api_key;
    header.request_api_version = version;
    header.correlation_id = correlation_id;
    header.client_id = "eddy-fuzz-seed";
    int16_t header_version = eddy::msg::request_header_version(Req::api_key, version);

    bytes out;
    eddy::codec::writer w(out);
    w.write_int32(static_cast<int32_t>(header.size(header_version) + request.size(version)));
    header.write(w, header_version);
    request.write(w, version);
    return out;
}

// Requests with content, for the APIs every client uses. Field types are taken with
// decltype so this follows the generated names of nested structs.
void populate(eddy::msg::metadata_request& m) {
    m.topics.emplace();
    for (const char* name : {"orders", "payments"}) {
        typename std::remove_reference_t<decltype(*m.topics)>::value_type topic;
        topic.name = name;
        m.topics->push_back(topic);
    }
    m.allow_auto_topic_creation = true;
}

void populate(eddy::msg::produce_request& p) {
    p.acks = -1;
    p.timeout_ms = 30000;
    typename decltype(p.topic_data)::value_type topic;
    topic.name = "orders";
    for (int32_t partition : {0, 1}) {
        typename decltype(topic.partition_data)::value_type data;
        data.index = partition;
        data.records = eddy::codec::bytes_view{record_batch().data(), record_batch().size(), false};
        topic.partition_data.push_back(data);
    }
    p.topic_data.push_back(topic);
}

void populate(eddy::msg::fetch_request& f) {
    f.replica_id = -1;
    f.max_wait_ms = 500;
    f.min_bytes = 1;
    f.max_bytes = 52428800;
    typename decltype(f.topics)::value_type topic;
    topic.topic = "orders";
    for (int32_t partition : {0, 1}) {
        typename decltype(topic.partitions)::value_type p;
        p.partition = partition;
        p.fetch_offset = 42;
        p.partition_max_bytes = 1048576;
        topic.partitions.push_back(p);
    }
    f.topics.push_back(topic);
}

class corpus_writer {
public:
    explicit corpus_writer(std::filesystem::path dir) : dir_(std::move(dir)) {}

    void write(const std::string& name, const bytes& data) {
        std::ofstream out(dir_ / name, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data.data()),
                  static_cast<std::streamsize>(data.size()));
        ++count_;
    }
    size_t count() const { return count_; }

private:
    std::filesystem::path dir_;
    size_t count_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: eddy_fuzz_seeds OUT_DIR\n");
        return 2;
    }
    std::filesystem::create_directories(argv[1]);
    corpus_writer out(argv[1]);

    for (const auto& api : eddy::msg::all_apis()) {
        eddy::msg::visit_api(api.key, [&]<class Req, class Resp>() {
            for (int16_t v = Req::min_version; v <= Req::max_version; ++v) {
                std::string stem = std::to_string(api.key) + "-" + std::string(api.name) + "-v" +
                                   std::to_string(v);
                out.write(stem + ".bin", frame(Req{}, v, v + 1));
                if constexpr (requires(Req & r) { populate(r); }) {
                    Req full;
                    populate(full);
                    out.write(stem + "-full.bin", frame(full, v, 1000 + v));
                }
            }
        });
    }

    // A client's first two requests back to back, as they arrive on a new connection.
    bytes stream = frame(eddy::msg::api_versions_request{}, 3, 1);
    eddy::msg::metadata_request metadata;
    populate(metadata);
    bytes second = frame(metadata, 12, 2);
    stream.insert(stream.end(), second.begin(), second.end());
    out.write("stream-apiversions-metadata.bin", stream);

    std::printf("eddy_fuzz_seeds: wrote %zu inputs to %s\n", out.count(), argv[1]);
    return 0;
}
