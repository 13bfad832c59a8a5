// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The four record-batch codecs, with Kafka's wire framing, decompressing into a
// bounded reusable buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "record/batch.h"

namespace eddy::record {

// A growable byte buffer reused across calls: clear() keeps the storage, growth is
// uninitialised (no zero-fill) and never goes past the limit the caller passes.
// Lives on: its owner's thread; not shared.
class byte_buffer {
public:
    uint8_t* data() { return data_.get(); }
    const uint8_t* data() const { return data_.get(); }
    size_t size() const { return size_; }
    size_t capacity() const { return capacity_; }
    void clear() { size_ = 0; }
    void set_size(size_t n) { size_ = n; }  // n <= capacity()

    // Makes capacity() >= n, keeping the first size() bytes. False when n > limit
    // (then nothing changes).
    bool reserve(size_t n, size_t limit);
    // Makes room for more output: at least one more byte, growing geometrically up
    // to `limit`. False when size() == limit already.
    bool grow(size_t limit);
    // Bytes writable after size() without passing `limit` (after a successful grow).
    size_t room(size_t limit) const {
        return (capacity_ < limit ? capacity_ : limit) - size_;
    }
    // Frees the storage when capacity() is above `keep`, so one rare large batch does not
    // pin its size for the buffer's lifetime.
    void release_above(size_t keep);

private:
    std::unique_ptr<uint8_t[]> data_;
    size_t size_ = 0;
    size_t capacity_ = 0;
};

enum class codec_status {
    ok,
    corrupt,      // not a valid stream of this codec, or truncated
    too_large,    // the output would exceed the limit (e.g. a decompression bomb)
    unsupported,  // compression id 5-7, or none passed to decompress
};
std::string_view to_string(codec_status s);

// Decompresses [in, in + n) into `out` (cleared first), writing at most `limit`
// bytes and never allocating more than `limit` for the output; codec-internal
// memory is bounded too (zstd's window is capped, see codec_zstd.cc). Framings
// accepted, as Kafka's broker accepts them:
//   gzip   a gzip stream (one or more members; bytes after a member that are not
//          another member are ignored, as java.util.zip.GZIPInputStream does)
//   snappy xerial-framed (the Java client's SnappyOutputStream: 8-byte magic,
//          version, compat version, then [int32 length][raw block]...) or one raw
//          snappy block (librdkafka, snappy-java's fallback for unframed input)
//   lz4    one LZ4 frame (bytes after its end mark are ignored, as Kafka's
//          Lz4BlockInputStream does)
//   zstd   one or more zstd frames
// Thread-safe (codec contexts are per thread).
codec_status decompress(compression c, const uint8_t* in, size_t n, byte_buffer& out,
                        size_t limit);

// What a payload's framing alone shows, without decompressing it: whether the stream
// is whole (every block length fits the bytes given, the stream ends where its framing
// says it ends) and at most how many bytes it decompresses to. Only lz4 and zstd frames
// carry their block lengths; gzip and snappy answer unsupported (a cut deflate stream
// or raw snappy block shows only when decompressed). A stream whose framing is whole
// can still fail to decompress: the blocks' contents are not looked at.
struct framing {
    codec_status status = codec_status::ok;  // ok, corrupt or unsupported
    uint64_t max_decompressed = 0;           // an upper bound, valid when ok
};
// `limit` is decompress()'s: a zstd window it would refuse is refused here too.
// Thread-safe (codec contexts are per thread).
framing check_framing(compression c, const uint8_t* in, size_t n, size_t limit);

// Kafka's default levels (CompressionType.defaultLevel, the defaults of the configs
// compression.gzip.level, compression.lz4.level and compression.zstd.level, KIP-390).
// gzip -1 is zlib's default (6); lz4 9 is Kafka's "fast compressor" (lz4-java's
// fastCompressor, liblz4's default), any other lz4 level is LZ4HC at that level.
inline constexpr int default_gzip_level = -1;
inline constexpr int default_lz4_level = 9;
inline constexpr int default_zstd_level = 3;
// The default level of `c` on Kafka's scale; snappy and none have no level (0).
int default_level(compression c);

// Compresses [in, in + n), appending to `out`, in the framing the Java client
// writes (gzip stream, xerial snappy, LZ4 frame with 64 KiB independent blocks, a
// zstd frame), at Kafka's default level for `c`. False only for compression::none or
// an unknown id.
bool compress(compression c, const uint8_t* in, size_t n, std::vector<uint8_t>& out);
// The same at `level` on Kafka's scale for `c` (ignored for snappy): gzip -1 or 1-9,
// lz4 1-17, zstd -131072-22, as the topic configs validate them; a level outside the
// codec's range is clamped by the codec library.
bool compress(compression c, const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level);

// Per-codec entry points (codec_*.cc); decompress()/compress() dispatch to them.
namespace codec {
codec_status gunzip(const uint8_t* in, size_t n, byte_buffer& out, size_t limit);
codec_status unsnappy(const uint8_t* in, size_t n, byte_buffer& out, size_t limit);
codec_status unlz4(const uint8_t* in, size_t n, byte_buffer& out, size_t limit);
codec_status unzstd(const uint8_t* in, size_t n, byte_buffer& out, size_t limit);
framing lz4_framing(const uint8_t* in, size_t n);
framing zstd_framing(const uint8_t* in, size_t n, size_t limit);
bool gzip(const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level = default_gzip_level);
bool snappy_xerial(const uint8_t* in, size_t n, std::vector<uint8_t>& out);
bool snappy_raw(const uint8_t* in, size_t n, std::vector<uint8_t>& out);
bool lz4(const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level = default_lz4_level);
bool zstd(const uint8_t* in, size_t n, std::vector<uint8_t>& out, int level = default_zstd_level);
}  // namespace codec

}  // namespace eddy::record
