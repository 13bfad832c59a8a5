# Eddy: shell helpers shared by .ci/start and .ci/test (sourced, not run).

# Build directories; EDDY_BUILD_PREFIX lets several checkouts' builds sit side by side.
build_dir=${EDDY_BUILD_PREFIX:-build}
jobs=${EDDY_JOBS:-2}

# configure DIR [cmake args...]: configure DIR with Ninja. The compiler comes from CC/CXX and
# only counts on the first configure; CMake keeps it (and every other setting) after that.
# Re-running is cheap, so a changed option or CMakeLists.txt always takes effect.
configure() {
  local dir=$1
  shift
  mkdir -p "$dir"
  cmake -S . -B "$dir" -G Ninja \
    -DPython3_EXECUTABLE=/usr/bin/python3 \
    "$@" >"$dir/configure.log" 2>&1 || {
    cat "$dir/configure.log"
    return 1
  }
}

# build DIR [targets...]
build() {
  local dir=$1
  shift
  local targets=()
  (($#)) && targets=(--target "$@")
  ${build_niceness:+nice -n "$build_niceness"} cmake --build "$dir" -j "$jobs" "${targets[@]}"
}

# run_script FILE [args...]: runs a script another owner keeps (compat/setup, compat/run) with
# the interpreter its first line names, so neither its exec bit nor its language matters.
run_script() {
  local file=$1
  shift
  case $(head -n 1 "$file") in
    *python*) /usr/bin/python3 "$file" "$@" ;;
    *) bash "$file" "$@" ;;
  esac
}
