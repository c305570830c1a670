#!/usr/bin/env bash
# local-build.sh's connector image mode with a stand-in `docker` on PATH that
# records every command: the exact build, tag and push commands, and clear
# failures without Docker, with the engine down and when a build fails.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(sandbox repo)
cd "$root"

bin=$work/bin log=$work/docker.log
mkdir -p "$bin"
cat >"$bin/docker" <<'STANDIN'
#!/bin/sh
# Stand-in docker: records its arguments; DOCKER_FAIL names a subcommand that
# fails. `run` answers like a good image: the Spec probe with the folder's
# documentation URL (FAKE_URL), `--version` with FAKE_VERSION; `image inspect`
# prints FAKE_LABEL.
echo "docker $*" >>"$DOCKER_LOG"
[ "$1" = "${DOCKER_FAIL:-}" ] && { echo "stand-in docker: $1 failed" >&2; exit 1; }
case "$1 $*" in
  *--entrypoint*) echo "${FAKE_VERSION:-}" ;;
  run*) cat >/dev/null; printf '{"spec":{"protocol":3032023,"documentationUrl":"%s"}}\n' "${FAKE_URL:-}" ;;
  image*) echo "${FAKE_LABEL:-v1}" ;;
esac
exit 0
STANDIN
chmod +x "$bin/docker"
user=$(id -un)
user=${user//[^A-Za-z0-9_.-]/-}
shim_version="airbyte-to-flow $(sed -n 's/^project(airbyte_to_flow VERSION \([^ )]*\).*/\1/p' CMakeLists.txt) (0abc123)"
export DOCKER_LOG=$log FAKE_URL=https://go.estuary.dev/source-stripe FAKE_VERSION=$shim_version
smoke="docker run -i --rm --platform linux/amd64 ghcr.io/estuary/source-stripe:local
docker run --rm --platform linux/amd64 --entrypoint /airbyte/integration_code/airbyte-to-flow ghcr.io/estuary/source-stripe:local --version
docker image inspect --format {{index .Config.Labels \"io.airbyte.version\"}} ghcr.io/estuary/source-stripe:local"

docker_run() {  # env assignments..., then local-build.sh arguments
  : >"$log"
  run env PATH="$bin:$PATH" "$@"
  recorded=$(cat "$log")
}

begin "build: the exact docker commands, defaults"
docker_run ./local-build.sh source-stripe
assert_eq "$rc" 0 "exit code ($err)"
assert_eq "$recorded" "docker info
docker build --platform linux/amd64 --build-arg AIRBYTE_TO_FLOW_IMAGE=ghcr.io/estuary/airbyte-to-flow-cpp --build-arg AIRBYTE_TO_FLOW_TAG=dev -t ghcr.io/estuary/source-stripe:local connectors/source-stripe
$smoke" "docker commands"
assert_contains "$out" "built ghcr.io/estuary/source-stripe:local"
assert_contains "$out" "smoke-image: ghcr.io/estuary/source-stripe:local answers Flow's Spec probe with documentationUrl https://go.estuary.dev/source-stripe"
assert_contains "$out" "smoke-image: ghcr.io/estuary/source-stripe:local runs $shim_version"

begin "the smoke run fails the build: a wrong documentation URL, another shim, another label"
docker_run FAKE_URL=https://example.com ./local-build.sh source-stripe
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "the Spec response is not protocol 3032023 with documentationUrl https://go.estuary.dev/source-stripe"
docker_run FAKE_VERSION="airbyte-to-flow 9.9.9" ./local-build.sh -p source-stripe
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "the shim says 'airbyte-to-flow 9.9.9', expected 'airbyte-to-flow $(sed -n 's/^project(airbyte_to_flow VERSION \([^ )]*\).*/\1/p' CMakeLists.txt) (*)'"
assert_not_contains "$recorded" "docker push"
docker_run FAKE_LABEL=5.4.0 ./local-build.sh source-stripe
assert_contains "$err" "LABEL io.airbyte.version is '5.4.0', but connectors/source-stripe/metadata.json's flow_version is 'v1'"

begin "build -p: organization and shim tag from the environment, tag with the user's name and push"
docker_run ATF_ORG=acme AIRBYTE_TO_FLOW_TAG=abc1234 ./local-build.sh -p source-stripe
assert_eq "$rc" 0 "exit code ($err)"
assert_eq "$recorded" "docker info
docker build --platform linux/amd64 --build-arg AIRBYTE_TO_FLOW_IMAGE=ghcr.io/acme/airbyte-to-flow-cpp --build-arg AIRBYTE_TO_FLOW_TAG=abc1234 -t ghcr.io/acme/source-stripe:local connectors/source-stripe
${smoke//estuary/acme}
docker tag ghcr.io/acme/source-stripe:local ghcr.io/acme/source-stripe:$user
docker push ghcr.io/acme/source-stripe:$user" "docker commands"

begin "a failing build stops before any push"
docker_run DOCKER_FAIL=build ./local-build.sh -p source-stripe
assert_eq "$rc" 1 "exit code"
assert_not_contains "$recorded" "docker push"
assert_contains "$err" "stand-in docker: build failed"

begin "the engine is down: a clear error, nothing built"
docker_run DOCKER_FAIL=info ./local-build.sh source-stripe
assert_eq "$rc" 1 "exit code"
assert_eq "$recorded" "docker info" "docker commands"
assert_contains "$err" "the Docker engine is not running"
assert_contains "$err" "./local-build.sh check source-stripe"

begin "no docker at all: a clear error"
nodocker=$work/nodocker
mkdir -p "$nodocker"
for tool in dirname sed id; do ln -sf "$(command -v "$tool")" "$nodocker/$tool"; done
run env PATH="$nodocker" "$(command -v bash)" ./local-build.sh source-stripe
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "docker is not installed"
assert_contains "$err" "./local-build.sh check source-stripe"

begin "the shim image"
docker_run ATF_ORG=acme ./local-build.sh shim-image
assert_eq "$rc" 0 "exit code ($err)"
assert_eq "$recorded" "docker info
docker build --platform linux/amd64 --build-arg ATF_COMMIT=$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown) -t ghcr.io/acme/airbyte-to-flow-cpp:local ." "docker commands"

begin "bad requests"
docker_run ./local-build.sh source-nope
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "no connector 'source-nope'"
assert_eq "$recorded" "" "docker commands"
docker_run ./local-build.sh -p test
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "-p goes with a connector"
docker_run ./local-build.sh source-template
assert_eq "$rc" 1 "exit code (the template is not a connector)"
docker_run ./local-build.sh nonsense
assert_eq "$rc" 2 "exit code"
assert_contains "$err" "unknown mode 'nonsense'"

begin "help"
run ./local-build.sh -h
assert_eq "$rc" 0 "exit code"
assert_contains "$out" "./local-build.sh [-p] source-NAME"
assert_contains "$out" "./local-build.sh check"

finish
