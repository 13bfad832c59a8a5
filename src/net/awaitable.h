// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The completion token every socket operation uses: errors come back as values.
#pragma once

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>

namespace eddy::net {

template <class T>
using awaitable = asio::awaitable<T>;

// as_tuple(use_awaitable): `auto [ec, n] = co_await sock.async_read_some(buf, use_tuple);`
// so no exception is thrown for an ordinary network error. (Asio 1.22 keeps as_tuple
// under experimental.)
inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace eddy::net
