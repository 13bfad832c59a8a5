// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// node:zlib has zstd only from Node.js 22.15; this machine's Node.js is 20. Clients that
// take zstd from node:zlib (@platformatic/kafka, and KafkaJS through kafkajs_codecs.mjs)
// get zlib.zstdCompressSync and zstdDecompressSync from the pinned WebAssembly build of
// zstd (@bokuweb/zstd-wasm) when they are missing. Call before @platformatic/kafka is
// imported: it reads them at load.
import { createRequire } from 'node:module'
import zlib from 'node:zlib'

const require = createRequire(import.meta.url)

export async function provideZlibZstd() {
  if (zlib.zstdCompressSync) return
  const zstd = require('@bokuweb/zstd-wasm')
  await zstd.init()
  zlib.zstdCompressSync = (data) => Buffer.from(zstd.compress(Buffer.from(data), 3))
  zlib.zstdDecompressSync = (data) => Buffer.from(zstd.decompress(Buffer.from(data)))
}
