# Sourced by the interpreter benchmarks: finds nanoCLR and valgrind and makes a scratch folder removed at exit.
#   bench_env NAME ROOT
# Sets tools (NANOCLR_TOOLS, or ROOT/../shared/tools/nanoclr) and work; exits 2 with a message naming NAME when the
# interpreter or valgrind is missing.
bench_env() {
  tools=${NANOCLR_TOOLS:-$2/../shared/tools/nanoclr}
  [ -x "$tools/nanoclr" ] || { echo "$1: no nanoCLR at $tools (set NANOCLR_TOOLS)" >&2; exit 2; }
  command -v valgrind >/dev/null || { echo "$1: valgrind is missing (apt-get install -y valgrind)" >&2; exit 2; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
}
