// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// A minimal value-or-error_code return type for the log module.
// TEMPORARY: replace with the project-wide result<T> (STYLE.md: include/eddy/result.h) once it exists.
#pragma once

#include <cassert>
#include <system_error>
#include <utility>
#include <variant>

namespace eddy::log {

template <typename T>
class [[nodiscard]] result {
public:
    result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
    result(std::error_code ec) : v_(ec) { assert(ec); }  // NOLINT(google-explicit-constructor)
    template <typename E>
        requires std::is_error_code_enum_v<E>
    result(E e) : result(std::error_code(make_error_code(e))) {}  // NOLINT(google-explicit-constructor)

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { assert(has_value()); return std::get<0>(v_); }
    const T& value() const& { assert(has_value()); return std::get<0>(v_); }
    T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // The error; an empty error_code when a value is held.
    std::error_code error() const { return has_value() ? std::error_code{} : std::get<1>(v_); }

private:
    std::variant<T, std::error_code> v_;
};

}  // namespace eddy::log
