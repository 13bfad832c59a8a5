# Every third-party dependency comes in here, from Debian's packages.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(ZLIB REQUIRED)
find_package(doctest REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(SNAPPY REQUIRED IMPORTED_TARGET snappy)
# librdkafka is used by tests only.
pkg_check_modules(RDKAFKA IMPORTED_TARGET rdkafka)

# Standalone Asio is header-only; Debian installs it as /usr/include/asio.hpp.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(eddy_asio INTERFACE)
target_include_directories(eddy_asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(eddy_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(eddy_asio INTERFACE Threads::Threads)
# Asio 1.22 enables C++20 coroutines only for GCC; clang (the fuzz build) supports them too.
target_compile_definitions(eddy_asio INTERFACE $<$<CXX_COMPILER_ID:Clang>:ASIO_HAS_CO_AWAIT=1>)
# Asio 1.22 decides between aligned_alloc/free and operator new/delete for its handler
# memory by whether libstdc++'s config was seen before asio's own: a source that includes
# <asio.hpp> first gets the other pair, and memory allocated in one file is freed in
# another with the wrong call (ASan: alloc-dealloc-mismatch). One answer for every file.
target_compile_definitions(eddy_asio INTERFACE ASIO_HAS_STD_ALIGNED_ALLOC=1)
