#!/usr/bin/env bash
# Builds nanoCLR for Linux (nf-interpreter's targets/posix) with SkipRnn.Edge.Native's interop compiled in, the
# way ../shared/tools/nanoclr/rebuild/build.sh builds the prebuilt one, so the native path runs in the real
# interpreter. Nothing of nf-interpreter enters this repository: it is copied from NFI_SRC into OUT and patched
# there (the posix target lists its interop assemblies in posix_stubs.cpp and its sources in its CMakeLists).
#   NFI_SRC=/path/to/nf-interpreter OUT=/tmp/nanoclr-interop firmware/native/nanoclr/build-posix.sh
# Then: firmware/native/nanoclr/run.sh "$OUT/tools/nanoclr" yes
# Needs cmake, ninja-build and g++. NFI_SRC may be a checkout or a bare git mirror (HEAD is used).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
native=$(cd "$here/.." && pwd)
: "${NFI_SRC:?set NFI_SRC to an nf-interpreter source tree or git mirror}"
OUT=${OUT:-/tmp/nanoclr-interop}
src="$OUT/nf-interpreter"
rm -rf "$src"; mkdir -p "$src"
if [ -d "$NFI_SRC/.git" ] || git -C "$NFI_SRC" rev-parse --is-bare-repository 2>/dev/null | grep -q true; then
  git -C "$NFI_SRC" archive HEAD | tar -x -C "$src"
else
  cp -r "$NFI_SRC/." "$src"
fi

mod="$src/InteropAssemblies/SkipRnn.Edge.Native"
mkdir -p "$mod"
cp "$native"/interop/*.h "$native"/interop/*.cpp "$native"/src/*.c "$native"/src/*.h "$native"/include/*.h "$mod/"

stubs="$src/targets/posix/nanoCLR/posix_stubs.cpp"
python3 - "$stubs" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
decl = 'extern const CLR_RT_NativeAssemblyData g_CLR_AssemblyNative_System_IO_Ports;\n'
entry = '    &g_CLR_AssemblyNative_System_IO_Ports,\n'
assert decl in s and entry in s, 'posix_stubs.cpp changed: update build-posix.sh'
s = s.replace(decl, decl + 'extern const CLR_RT_NativeAssemblyData g_CLR_AssemblyNative_SkipRnn_Edge_Native;\n')
s = s.replace(entry, entry + '    &g_CLR_AssemblyNative_SkipRnn_Edge_Native,\n')
open(p, 'w').write(s)
PY
cat >> "$src/targets/posix/nanoCLR/CMakeLists.txt" <<CMAKE

# SkipRnn.Edge.Native interop (added by SkipRnn Edge's firmware/native/nanoclr/build-posix.sh)
file(GLOB SKRN_INTEROP_SOURCES \${REPO_ROOT}/InteropAssemblies/SkipRnn.Edge.Native/*.cpp \${REPO_ROOT}/InteropAssemblies/SkipRnn.Edge.Native/*.c)
target_sources(nanoFramework.nanoCLR PRIVATE \${SKRN_INTEROP_SOURCES})
target_include_directories(nanoFramework.nanoCLR PRIVATE \${REPO_ROOT}/InteropAssemblies/SkipRnn.Edge.Native)
CMAKE

cmake -S "$src/targets/posix" -B "$OUT/build" -G Ninja -DCMAKE_BUILD_TYPE=Release > "$OUT/configure.log"
cmake --build "$OUT/build" -j"${JOBS:-2}"

# The new interpreter beside a copy of the shared nanoclr wrapper (which runs lib/ next to itself).
tools="$OUT/tools"
shared=$(cd "$native/../../../shared/tools/nanoclr" && pwd)
rm -rf "$tools"; mkdir -p "$tools/lib"
cp "$OUT/build/bin/nanoFramework.nanoCLR.test" "$OUT/build/lib/nanoFramework.nanoCLR.so" "$tools/lib/"
cp "$shared/nanoclr" "$tools/nanoclr"
echo "built: $tools/nanoclr (run: firmware/native/nanoclr/run.sh $tools/nanoclr yes)"
