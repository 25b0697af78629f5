#!/usr/bin/env bash
# The prepared GPU check (issue 17): on a machine with an NVIDIA GPU that has no network and no
# Node — the `device` machine a session is sometimes lent — run, in one go and well inside 10
# minutes, the gpu.js backend's conformance suite (GL through headless-gl; WebGPU through Dawn where
# its binary loads) and the benchmark (gpu.js against the CPU backend and ONNX Runtime on the same
# machine), writing every result into one folder.
#
# Two halves, because that machine can fetch nothing:
#   scripts/gpu-check.sh pack          here (registry and Debian archive reachable): builds .gpu-check/
#                                      (git-ignored) — Node 20 from the registry, the gpu.js backend and
#                                      the bench as `pnpm deploy` folders (their node_modules, pruned to
#                                      linux-x64), and the X/GL/Vulkan client libraries as Debian .debs —
#                                      compressed to fit the 64 MiB that travels with the working tree.
#   scripts/gpu-check.sh run OUT       there, from the repository root (the working tree travels; name
#                                      .gpu-check in the call's carry): unpacks into /tmp, supplies only
#                                      the libraries the machine lacks, runs the checks, and writes OUT/
#                                      summary.md, the logs, the suites' JSON results and the bench report.
# A GPU check is no CI test: CI never has a GPU. `run` works on any Linux x86-64 machine (here it
# gives the software renderer's figures, and says so: the summary names the GL renderer and the
# WebGPU adapter that actually ran).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PACK=$ROOT/.gpu-check
# Debian packages whose libraries a bare machine may lack: X client libraries headless-gl links,
# libglvnd's GL/EGL/GLX dispatch (ANGLE inside headless-gl dlopens libGL), the Vulkan loader (Dawn),
# and an X server (Xvfb) with its keymap compiler. `run` links only those the machine has not got.
DEBS=(libx11-6 libxext6 libxi6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 libglvnd0 libgl1 libglx0 libegl1
      libopengl0 libgles2 libvulkan1 xvfb libxfont2 libfontenc1 libpixman-1-0 libunwind8
      libxkbfile1 x11-xkb-utils xkb-data libfreetype6 libpng16-16 libbrotli1)
TRAVEL_LIMIT=$((62 * 1024 * 1024)) # leaves room for the tracked tree under the 64 MiB that travels

pnpm_() { npx --yes "$(node -p 'require("./package.json").packageManager')" "$@"; }

pack() {
  set -e
  command -v xz >/dev/null || { echo "gpu-check pack: needs xz (apt-get install xz-utils)" >&2; exit 1; }
  # Node 20, the line headless-gl's addon was compiled for here (`npm test` builds it against this
  # machine's Node 20 headers: ABI 115); any other line would refuse to load it.
  local node_bin
  node_bin=$(node --input-type=module -e "import { installNode } from './scripts/pnpm.mjs'; const b = installNode('20'); if (!b) process.exit(1); console.log(b)" | tail -n 1)
  [ "$("$node_bin" -p process.versions.modules)" = "$(node -p process.versions.modules)" ] || { echo "gpu-check pack: run it under Node 20 (headless-gl is built for this Node's ABI)" >&2; exit 1; }
  pnpm_ exec turbo run build --output-logs=errors-only
  # The compressed Node is kept between packs while its version is the same (xz -9 takes minutes).
  local version; version=$("$node_bin" --version)
  [ "$(cat "$PACK/node.version" 2>/dev/null)" = "$version" ] || rm -f "$PACK/node.xz"
  rm -rf "$PACK/debs" "$PACK/modules.tar.xz" && mkdir -p "$PACK/debs"
  local stage; stage=$(mktemp -d)
  # The deployed folders hold each package's built files and a node_modules of its own, resolved
  # from the lockfile (nothing new is fetched); gpu.js's needs dev dependencies (Vitest, the suite).
  pnpm_ --filter @rectifier/backend-gpujs deploy --legacy --offline "$stage/gpujs" >/dev/null
  pnpm_ --filter @rectifier/bench deploy --legacy --offline "$stage/bench" >/dev/null
  # Only linux-x64 runs there: drop other platforms' binaries, headless-gl's ANGLE sources and
  # build intermediates, and what only browsers or builds use.
  find "$stage" -path '*/webgpu/dist/*.dawn.node' ! -name 'linux-x64.dawn.node' -delete
  local gl; for gl in "$stage"/*/node_modules/.pnpm/gl@*/node_modules/gl; do
    mv "$gl/build/Release/webgl.node" "$gl/webgl.node.keep" && rm -rf "$gl/angle" "$gl/deps" "$gl/src/native" "$gl/build" && mkdir -p "$gl/build/Release" && mv "$gl/webgl.node.keep" "$gl/build/Release/webgl.node"
  done
  # TensorFlow.js and onnxruntime-node stay behind (the bench runs with --no-tfjs --no-ort): they
  # would not fit, and the check times ONNX Runtime with the machine's own (Python's onnxruntime) on
  # the same models. Source maps are no use there either.
  rm -rf "$stage"/*/node_modules/.pnpm/@tensorflow+* "$stage"/bench/node_modules/@tensorflow
  rm -rf "$stage"/*/node_modules/.pnpm/onnxruntime-node@* "$stage"/bench/node_modules/onnxruntime-node
  find "$stage" -name '*.map' -delete
  find "$stage" -type d \( -name 'playwright-core' -o -name 'playwright' -o -name 'node-gyp' -o -name '@types' -o -name 'typescript' \) -path '*/.pnpm/*' -prune -exec rm -rf {} + 2>/dev/null || true
  tar -C "$stage" -cf - gpujs bench | xz -T0 -9 >"$PACK/modules.tar.xz"
  [ -f "$PACK/node.xz" ] || { xz -T0 -9e -c "$node_bin" >"$PACK/node.xz" && echo "$version" >"$PACK/node.version"; }
  (cd "$PACK/debs" && apt-get download "${DEBS[@]}" >/dev/null)
  rm -rf "$stage"
  local total; total=$(du -sb "$PACK" | cut -f1)
  echo "gpu-check pack: $PACK is $((total / 1024 / 1024)) MiB ($(ls "$PACK/debs" | wc -l) debs)"
  if [ "$total" -gt "$TRAVEL_LIMIT" ]; then echo "gpu-check pack: too big to travel (limit $((TRAVEL_LIMIT / 1024 / 1024)) MiB)" >&2; exit 1; fi
}

# Links, into one folder on LD_LIBRARY_PATH, each carried library the machine's loader cannot find
# (the machine's own stay in charge: a Debian build of a library it has would only shadow it).
supply_libraries() {
  local sys=/tmp/gpu-check/sysroot lib=/tmp/gpu-check/lib
  mkdir -p "$sys" "$lib"
  for f in "$PACK"/debs/*.deb; do dpkg-deb -x "$f" "$sys" 2>/dev/null || (cd "$sys" && ar p "$f" data.tar.xz | tar -xJf -); done
  local known; known=$(ldconfig -p 2>/dev/null)
  for so in "$sys"/usr/lib/x86_64-linux-gnu/*.so.* "$sys"/lib/x86_64-linux-gnu/*.so.*; do
    [ -e "$so" ] || continue
    local name; name=$(basename "$so")
    grep -q " $name " <<<"$known" || ln -sf "$so" "$lib/$name"
  done
  export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  command -v Xvfb >/dev/null || export PATH="$PATH:$sys/usr/bin"
  # The NVIDIA driver's ICD and EGL vendor files, where the machine mounts them (device/README.md).
  local nv=/usr/local/nvidia/share
  [ -f $nv/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=${VK_DRIVER_FILES:-$nv/vulkan/icd.d/nvidia_icd.json}
  [ -f $nv/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-$nv/glvnd/egl_vendor.d/10_nvidia.json}
  # GLX through the NVIDIA vendor library under Xvfb ran on the GPU on these machines (device/README.md).
  if ls /usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.* /usr/local/nvidia/lib64/libGLX_nvidia.so.* >/dev/null 2>&1; then export __GLX_VENDOR_LIBRARY_NAME=${__GLX_VENDOR_LIBRARY_NAME:-nvidia}; fi
  [ -d "$sys/usr/share/X11/xkb" ] && [ ! -d /usr/share/X11/xkb ] && { mkdir -p /usr/share/X11 && ln -s "$sys/usr/share/X11/xkb" /usr/share/X11/xkb; } 2>/dev/null
  [ -x "$sys/usr/bin/xkbcomp" ] && ! command -v xkbcomp >/dev/null && ln -s "$sys/usr/bin/xkbcomp" /usr/bin/xkbcomp 2>/dev/null
  true
}

run_check() {
  local dest=${1:?usage: scripts/gpu-check.sh run OUT}
  mkdir -p "$dest" && dest=$(cd "$dest" && pwd)
  # Everything is written under OUT/results, then packed into one file beside summary.md (the device
  # tool returns at most 8 files).
  local out=$dest/results
  rm -rf "$out" && mkdir -p "$out"
  [ -f "$PACK/node.xz" ] || { echo "gpu-check run: $PACK is missing: run 'scripts/gpu-check.sh pack' first and carry .gpu-check" >&2; exit 1; }
  local start=$SECONDS work=/tmp/gpu-check
  rm -rf "$work" && mkdir -p "$work/bin"
  xz -dc "$PACK/node.xz" >"$work/bin/node" && chmod +x "$work/bin/node"
  xz -dc "$PACK/modules.tar.xz" | tar -C "$work" -xf -
  export PATH="$work/bin:$PATH"
  supply_libraries
  # The suite's test files and the backend's TypeScript sources come from the travelled tree; the
  # config resolves the workspace packages to their built dist/ (the deployed copies hold no src/).
  cp -r "$ROOT/packages/backend-gpujs/src" "$ROOT/packages/backend-gpujs/test" "$work/gpujs/"
  cp "$ROOT/packages/backend-gpujs/vitest.config.ts" "$work/gpujs/"
  cp "$ROOT/scripts/gpu-check/vitest.config.mjs" "$work/gpujs/vitest.gpu-check.config.mjs"
  {
    echo "# GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo; echo '## Machine'; echo '```'
    uname -srm; grep -m1 'model name' /proc/cpuinfo; nproc; (ldd --version | head -1) 2>&1
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | head -3
    echo "node $(node --version)"; echo '```'
  } >"$out/summary.md"
  # What GL and WebGPU actually give here (a software renderer is named as such).
  (cd "$work/gpujs" && timeout 120 node "$ROOT/scripts/gpu-check/probe.mjs") >"$out/probe.json" 2>"$out/probe.log"
  { echo; echo '## Adapters (probe.json)'; echo '```json'; cat "$out/probe.json"; echo '```'; } >>"$out/summary.md"
  local vitest=(node node_modules/vitest/vitest.mjs run --config vitest.gpu-check.config.mjs --reporter=default --reporter=json)
  (cd "$work/gpujs" && RECTIFIER_REPORT_DIR="$out/accuracy" timeout 240 "${vitest[@]}" --outputFile.json="$out/gpujs-suite.json" test/conformance.gl.test.ts test/gpujs.test.ts) >"$out/gpujs-suite.log" 2>&1
  echo "suite exit $? after $((SECONDS - start)) s" >>"$out/gpujs-suite.log"
  [ -f "$ROOT/packages/backend-gpujs/test/conformance.webgpu.test.ts" ] && {
    (cd "$work/gpujs" && RECTIFIER_REPORT_DIR="$out/accuracy" timeout 180 "${vitest[@]}" --outputFile.json="$out/webgpu-suite.json" test/conformance.webgpu.test.ts) >"$out/webgpu-suite.log" 2>&1
    echo "suite exit $? after $((SECONDS - start)) s" >>"$out/webgpu-suite.log"
  }
  # The bench's Rectifier contenders (cpu, workers, gpu.js in its best mode), quick timing so that it
  # ends in time; its report goes to OUT. Then ONNX Runtime on the bench's own models, from Python.
  (cd "$work/bench" && timeout 270 node dist/bench.js --quick --no-tfjs --no-ort --out "$out") >"$out/bench.log" 2>&1
  echo "bench exit $? after $((SECONDS - start)) s" >>"$out/bench.log"
  cp "$ROOT/scripts/gpu-check/export-models.mjs" "$work/bench/"
  (cd "$work/bench" && node export-models.mjs "$work/models" && timeout 180 python3 "$ROOT/scripts/gpu-check/ort_bench.py" "$work/models" >"$out/onnxruntime.json") >"$out/onnxruntime.log" 2>&1
  echo "onnxruntime exit $? after $((SECONDS - start)) s" >>"$out/onnxruntime.log"
  node "$ROOT/scripts/gpu-check/summarise.mjs" "$out" >>"$out/summary.md" 2>&1
  echo "gpu-check: done in $((SECONDS - start)) s" | tee -a "$out/summary.md"
  cp "$out/summary.md" "$dest/summary.md"
  tar -C "$dest" -cJf "$dest/gpu-check-results.tar.xz" results && rm -rf "$out"
  cat "$dest/summary.md"
}

case "${1:-}" in
  pack) pack ;;
  run) shift; run_check "$@" ;;
  *) echo "usage: scripts/gpu-check.sh pack | run OUT" >&2; exit 2 ;;
esac
