# Sourced by the nanoCLR scripts: builds device libraries for nanoCLR as an app deploys them, one .pe each.
#   compile_device_libs TOOLS ROOT WORK LIBRARY...
# LIBRARY is a folder under src/ (SkipRnn.Edge, SkipRnn.Edge.Audio, SkipRnn.Edge.Loops, SkipRnn.Edge.Loops.Keyword),
# given in dependency order: each is compiled from all of its .cs files against the ones before it, as its device
# gate (src/SkipRnn.Edge.DeviceGate) compiles it. Sets DEVICE_REFS (the -r: options for an app's compile-pe) and
# DEVICE_PES (the .pe files for nanoCLR's command line). compile-pe's output goes to stdout/stderr.
compile_device_libs() {
  local tools=$1 root=$2 work=$3 lib
  shift 3
  DEVICE_REFS=(); DEVICE_PES=()
  for lib in "$@"; do
    local sources=()
    mapfile -t sources < <(find "$root/src/$lib" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' | sort)
    "$tools/compile-pe" "$work/$lib.pe" "${DEVICE_REFS[@]}" "${sources[@]}" || return 1
    DEVICE_REFS+=(-r:"$work/$lib.dll"); DEVICE_PES+=("$work/$lib.pe")
  done
}
