# Build-time options for CI trees (.ci/test turns them on). All are off by default: full
# debug info is what a developer debugging wants, precompiled headers defeat ccache, and lld
# is not part of the build's own dependencies.
#
#   EDDY_DEBUG_INFO=lines       -g1: line tables only (backtraces and sanitizer reports keep
#                               file:line; no local variables). At -O2 most of the time -g costs
#                               goes to variable locations of inlined and coroutine code.
#   EDDY_LINKER=lld             links with LLVM's lld (Debian package lld): a test binary in a
#                               third of the time GNU ld takes, and there are two dozen of them.
#   EDDY_PRECOMPILE_HEADERS=ON  precompiles the third-party headers every file of a target may
#                               see (Asio, spdlog, doctest, the standard library): parsing them
#                               is most of an Asio handler's or a test's compile time.
#   EDDY_UNITY_BUILD=ON         compiles each library's and test binary's files a few at a
#                               time as one unit: what is left after precompiled headers is
#                               mostly Eddy's own and the generated headers, parsed once per
#                               unit instead of once per file. A file that must stay apart
#                               (one that defines macros, say) sets SKIP_UNITY_BUILD_INCLUSION
#                               where its target is defined.

set(EDDY_DEBUG_INFO "full" CACHE STRING "Debug info in -g builds: full (-g) or lines (-g1)")
set_property(CACHE EDDY_DEBUG_INFO PROPERTY STRINGS full lines)
set(EDDY_LINKER "" CACHE STRING "Linker for -fuse-ld= (lld, gold, mold); empty: the compiler's default")
option(EDDY_PRECOMPILE_HEADERS "Precompile third-party headers (for CI; bypasses ccache)" OFF)
option(EDDY_UNITY_BUILD "Unity-build the libraries and test binaries (for CI; a changed file rebuilds its batch)" OFF)
set(EDDY_UNITY_SOURCES_BATCH 8 CACHE STRING "Library files per unity unit with EDDY_UNITY_BUILD")
set(EDDY_UNITY_TESTS_BATCH 4 CACHE STRING "Test files per unity unit with EDDY_UNITY_BUILD")

if(EDDY_DEBUG_INFO STREQUAL "lines")
  # After CMAKE_<LANG>_FLAGS_<CONFIG> on the command line, so it overrides their -g.
  add_compile_options(-g1)
elseif(NOT EDDY_DEBUG_INFO STREQUAL "full")
  message(FATAL_ERROR "EDDY_DEBUG_INFO must be full or lines, not '${EDDY_DEBUG_INFO}'")
endif()

if(EDDY_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # A unity unit includes the .cc files, so GCC takes their anonymous-namespace types (a
  # handler's lambda, say) for a header's and warns when a template from a real header keeps
  # one in its coroutine frame. The developer trees, one file per unit, keep the warning.
  add_compile_options(-Wno-subobject-linkage)
endif()

if(EDDY_LINKER)
  add_link_options(-fuse-ld=${EDDY_LINKER})
endif()

# The headers to precompile for a target that links the key (directly or through others).
set(_eddy_pch_std
  <algorithm> <array> <chrono> <cstdint> <cstring> <functional> <map> <memory> <optional>
  <set> <span> <string> <string_view> <unordered_map> <utility> <variant> <vector>)
set(_eddy_pch_headers_eddy_asio <asio.hpp>)
set(_eddy_pch_headers_spdlog::spdlog <spdlog/spdlog.h>)
set(_eddy_pch_headers_fmt::fmt <fmt/format.h>)
set(_eddy_pch_headers_doctest::doctest <doctest/doctest.h>)
set(_eddy_pch_keys eddy_asio spdlog::spdlog fmt::fmt doctest::doctest)

# _eddy_collect_targets(OUT DIR): every target defined in DIR and below.
function(_eddy_collect_targets out dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _eddy_collect_targets(sub_targets ${sub})
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# _eddy_link_closure(OUT TARGET): TARGET's link libraries, transitively, as target names.
function(_eddy_link_closure out target)
  set(seen)
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue t)
    if(NOT TARGET ${t} OR t IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${t})
    get_target_property(type ${t} TYPE)
    set(libs)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(own ${t} LINK_LIBRARIES)
      if(own)
        list(APPEND libs ${own})
      endif()
    endif()
    get_target_property(iface ${t} INTERFACE_LINK_LIBRARIES)
    if(iface)
      list(APPEND libs ${iface})
    endif()
    foreach(lib IN LISTS libs)
      # $<LINK_ONLY:x> and the like: keep the name inside.
      string(REGEX REPLACE "^\\$<[A-Z_]+:(.*)>$" "\\1" lib "${lib}")
      if(TARGET ${lib})
        get_target_property(aliased ${lib} ALIASED_TARGET)
        if(aliased)
          set(lib ${aliased})
        endif()
        list(APPEND queue ${lib})
      endif()
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

# _eddy_usage(OUT PROPERTY FIRST [DEPS...]): the COMPILE_DEFINITIONS or COMPILE_OPTIONS
# (PROPERTY) a file of FIRST is compiled with, FIRST's own and those DEPS pass on, sorted.
# Eddy's own macros (EDDY_*) are left out: no precompiled header reads them.
function(_eddy_usage out property first)
  get_target_property(values ${first} ${property})
  if(NOT values)
    set(values)
  endif()
  foreach(t IN LISTS ARGN)
    get_target_property(iface ${t} INTERFACE_${property})
    if(iface)
      list(APPEND values ${iface})
    endif()
  endforeach()
  list(FILTER values EXCLUDE REGEX "^EDDY_")
  list(REMOVE_DUPLICATES values)
  list(SORT values)
  set(${out} "${values}" PARENT_SCOPE)
endfunction()

# eddy_precompile_headers(): call once, after every add_subdirectory. Targets that see the
# same headers with the same definitions share one precompiled header, built by a small
# holder library (eddy_pch_N), so a tree builds a handful of them, not one per target.
# Should a file's flags still not match its header (GCC then warns -Winvalid-pch), GCC parses
# the headers as text: slower, never a different build.
function(eddy_precompile_headers)
  if(NOT EDDY_PRECOMPILE_HEADERS)
    return()
  endif()
  _eddy_collect_targets(targets ${CMAKE_SOURCE_DIR})
  set(groups)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$")
      continue()
    endif()
    get_target_property(imported ${target} IMPORTED)
    get_target_property(own_pch ${target} PRECOMPILE_HEADERS)
    get_target_property(reused ${target} PRECOMPILE_HEADERS_REUSE_FROM)
    if(imported OR own_pch OR reused)
      continue()
    endif()
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    set(cxx_sources 0)
    foreach(source IN LISTS sources)
      if(NOT source MATCHES "\\.(cc|cpp|cxx)$")
        continue()
      endif()
      math(EXPR cxx_sources "${cxx_sources} + 1")
      # A file that defines a macro before its first #include (doctest's
      # DOCTEST_CONFIG_IMPLEMENT, say) must include the headers after it: no precompiled
      # header for that file.
      cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${source_dir} OUTPUT_VARIABLE path)
      if(EXISTS ${path})
        file(READ ${path} text LIMIT 8192)
        string(FIND "${text}" "#include" first_include)
        if(first_include GREATER 0)
          string(SUBSTRING "${text}" 0 ${first_include} preamble)
          if(preamble MATCHES "#[ \t]*(define|undef)")
            set_source_files_properties(${path} TARGET_DIRECTORY ${target}
              PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
          endif()
        endif()
      endif()
    endforeach()
    if(cxx_sources EQUAL 0)
      continue()
    endif()

    _eddy_link_closure(closure ${target})
    set(keys)
    foreach(key IN LISTS _eddy_pch_keys)
      if(NOT TARGET ${key})
        continue()
      elseif(key IN_LIST closure)
        list(APPEND keys ${key})
      else()
        # spdlog::spdlog and the like may be aliases of the imported names in the closure.
        get_target_property(aliased ${key} ALIASED_TARGET)
        if(aliased AND aliased IN_LIST closure)
          list(APPEND keys ${key})
        endif()
      endif()
    endforeach()
    _eddy_usage(defs COMPILE_DEFINITIONS ${target} ${closure})
    _eddy_usage(options COMPILE_OPTIONS ${target} ${closure})
    string(SHA1 group "${keys}|${defs}|${options}")
    string(SUBSTRING ${group} 0 12 group)
    if(NOT group IN_LIST groups)
      list(APPEND groups ${group})
      list(LENGTH groups n)
      set(holder eddy_pch_${n})
      set(holder_source ${CMAKE_BINARY_DIR}/pch/${holder}.cc)
      file(CONFIGURE OUTPUT ${holder_source}
        CONTENT "// The holder of precompiled headers for: @keys@ (generated).\n")
      add_library(${holder} OBJECT ${holder_source})
      set(headers ${_eddy_pch_std})
      foreach(key IN LISTS keys)
        list(APPEND headers ${_eddy_pch_headers_${key}})
        target_link_libraries(${holder} PRIVATE ${key})
      endforeach()
      target_compile_definitions(${holder} PRIVATE ${defs})
      target_compile_options(${holder} PRIVATE ${options})
      target_precompile_headers(${holder} PRIVATE ${headers})
      set(_eddy_pch_holder_${group} ${holder})
    endif()
    set_target_properties(${target} PROPERTIES PRECOMPILE_HEADERS_REUSE_FROM ${_eddy_pch_holder_${group}})
  endforeach()
endfunction()

# eddy_unity_build(DIR TYPES BATCH): call once per DIR, after every add_subdirectory. Every
# target under DIR whose type matches the regular expression TYPES is built as unity units of
# BATCH files each, unless its own CMakeLists.txt already chose (eddy_codec batches its
# generated files more widely).
function(eddy_unity_build dir types batch)
  if(NOT EDDY_UNITY_BUILD)
    return()
  endif()
  _eddy_collect_targets(targets ${dir})
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    get_target_property(chosen ${target} UNITY_BUILD)
    if(type MATCHES "^(${types})$" AND chosen MATCHES "NOTFOUND$")
      set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${batch})
    endif()
  endforeach()
endfunction()
