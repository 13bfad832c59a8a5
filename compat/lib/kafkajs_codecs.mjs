// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// KafkaJS compresses only with GZIP by itself; the other codecs are registered here from
// the packages compat/package.json pins: kafkajs-snappy (KafkaJS's own Snappy plugin),
// and for LZ4 and ZSTD, whose KafkaJS plugins need native builds at install time,
// lz4-napi's LZ4 frames (Kafka's LZ4 format; prebuilt binaries from npm) and node:zlib's
// zstd (zlib_zstd.mjs supplies it on Node.js before 22.15).
import { createRequire } from 'node:module'
import zlib from 'node:zlib'
import kafkajs from 'kafkajs'
import { provideZlibZstd } from './zlib_zstd.mjs'

const require = createRequire(import.meta.url)
const { CompressionTypes, CompressionCodecs } = kafkajs

// Registers every codec; returns the ones that could not be loaded, with the reason.
export async function registerCodecs() {
  const missing = []
  const load = (name, fn) => {
    try {
      return fn()
    } catch (e) {
      missing.push(`${name}: ${e.message}`)
      return null
    }
  }
  const snappy = load('snappy', () => require('kafkajs-snappy'))
  if (snappy) CompressionCodecs[CompressionTypes.Snappy] = snappy
  const lz4 = load('lz4', () => require('lz4-napi'))
  if (lz4) {
    CompressionCodecs[CompressionTypes.LZ4] = () => ({
      compress: async (encoder) => lz4.compressFrame(encoder.buffer),
      decompress: async (buffer) => lz4.decompressFrame(buffer),
    })
  }
  const zstd = await provideZlibZstd().then(() => true, (e) => { missing.push(`zstd: ${e.message}`); return false })
  if (zstd) {
    CompressionCodecs[CompressionTypes.ZSTD] = () => ({
      compress: async (encoder) => zlib.zstdCompressSync(encoder.buffer),
      decompress: async (buffer) => zlib.zstdDecompressSync(buffer),
    })
  }
  return missing
}
