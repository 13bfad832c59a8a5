// Eddy: a Kafka-wire-compatible broker. Licensed under the Apache License 2.0.
// The bytes of one request frame, as the network layer hands them to the broker.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace eddy {

// An allocator whose value-less construct() leaves the element uninitialised, so that
// resize() on a vector of bytes does not zero-fill. A frame's bytes are overwritten by a
// socket read right after they are made room for; zero-filling them first cost 5% of the
// broker's CPU on 1 KiB produce.
template <class T>
struct uninitialized_allocator : std::allocator<T> {
    using value_type = T;
    template <class U>
    struct rebind {
        using other = uninitialized_allocator<U>;
    };

    uninitialized_allocator() noexcept = default;
    template <class U>
    uninitialized_allocator(const uninitialized_allocator<U>&) noexcept {}

    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

template <class T, class U>
bool operator==(const uninitialized_allocator<T>&, const uninitialized_allocator<U>&) noexcept {
    return true;
}

using frame_bytes = std::vector<uint8_t, uninitialized_allocator<uint8_t>>;

}  // namespace eddy
