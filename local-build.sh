#!/usr/bin/env bash
# Builds airbyte-to-flow and runs it. On a fresh Debian machine it first
# installs the packages it needs (apt-get, only what is missing).
#
#   ./local-build.sh                  build the static release binary: build/airbyte-to-flow
#   ./local-build.sh demo             build, then run the demo connector through the shim
#   ./local-build.sh test             build, then run every test (ctest)
#   ./local-build.sh bench            build, then run the capture benchmark (tests/bench)
#   ./local-build.sh --sanitize test  the same with AddressSanitizer + UBSan (build-sanitize/)
#   ./local-build.sh -h               this help
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }

# ---- dependencies -----------------------------------------------------------
build_packages=(
  g++ cmake ninja-build pkg-config file
  rapidjson-dev libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc libabsl-dev
  libspdlog-dev libfmt-dev
)
test_packages=(libgtest-dev libgmock-dev git shellcheck yamllint)

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

# ---- build ------------------------------------------------------------------
sanitize=0
build_dir=build

configure_and_build() {
  local args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
  if [[ $sanitize -eq 1 ]]; then
    args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATF_SANITIZE=ON)
  fi
  cmake -S . -B "$build_dir" "${args[@]}" >/dev/null
  cmake --build "$build_dir" -- -j"$(nproc)"
}

# ---- demo -------------------------------------------------------------------
# Feeds a request file to the shim and prints its responses. A capture runs
# until Flow closes stdin, so for `open` stdin stays open until the shim exits.
run_shim() {
  local request=$1 keep_open=$2 fifo feeder status=0
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  if [[ $keep_open == yes ]]; then
    ( cat "$request"; exec sleep 600 ) >"$fifo" &
  else
    cat "$request" >"$fifo" &
  fi
  feeder=$!
  LOG_FORMAT=text "$build_dir/airbyte-to-flow" \
    --connector-entrypoint "$root/connectors/source-demo/source-demo.sh" \
    --connector-dir "$root/connectors/source-demo" <"$fifo" || status=$?
  kill "$feeder" 2>/dev/null || true
  wait "$feeder" 2>/dev/null || true
  rm -f "$fifo"
  return "$status"
}

demo() {
  local requests="$root/connectors/source-demo/requests" step
  for step in probe discover validate open; do
    echo
    echo "=== ${step} request: $(head -c 120 "$requests/$step.json")..."
    run_shim "$requests/$step.json" "$([[ $step == open ]] && echo yes || echo no)" || true
  done
}

# ---- main -------------------------------------------------------------------
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --sanitize) sanitize=1; build_dir=build-sanitize; shift ;;
    *) break ;;
  esac
done

mode=${1:-build}
case "$mode" in
  build)
    install_missing "${build_packages[@]}"
    configure_and_build
    file "$build_dir/airbyte-to-flow"
    ;;
  demo)
    install_missing "${build_packages[@]}"
    configure_and_build
    demo
    ;;
  test)
    install_missing "${build_packages[@]}" "${test_packages[@]}"
    configure_and_build
    ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)"
    ;;
  bench)
    install_missing "${build_packages[@]}" "${test_packages[@]}"
    configure_and_build
    "$build_dir/tests/capture-bench" "${@:2}"
    ;;
  *)
    echo "local-build: unknown mode '$mode'" >&2
    usage >&2
    exit 2
    ;;
esac
