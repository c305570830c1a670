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
# Stand-in docker: records its arguments; DOCKER_FAIL names a subcommand that fails.
echo "docker $*" >>"$DOCKER_LOG"
[ "$1" = "${DOCKER_FAIL:-}" ] && { echo "stand-in docker: $1 failed" >&2; exit 1; }
exit 0
STANDIN
chmod +x "$bin/docker"
user=$(id -un)
user=${user//[^A-Za-z0-9_.-]/-}
export DOCKER_LOG=$log

docker_run() {  # env assignments..., then local-build.sh arguments
  : >"$log"
  run env PATH="$bin:$PATH" "$@"
  recorded=$(cat "$log")
}

begin "build: the exact docker commands, defaults"
docker_run ./local-build.sh source-stripe
assert_eq "$rc" 0 "exit code ($err)"
assert_eq "$recorded" "docker info
docker build --build-arg AIRBYTE_TO_FLOW_IMAGE=ghcr.io/estuary/airbyte-to-flow --build-arg AIRBYTE_TO_FLOW_TAG=dev -t ghcr.io/estuary/source-stripe:local connectors/source-stripe" "docker commands"
assert_contains "$out" "built ghcr.io/estuary/source-stripe:local"

begin "build -p: organization and shim tag from the environment, tag with the user's name and push"
docker_run ATF_ORG=acme AIRBYTE_TO_FLOW_TAG=abc1234 ./local-build.sh -p source-stripe
assert_eq "$rc" 0 "exit code ($err)"
assert_eq "$recorded" "docker info
docker build --build-arg AIRBYTE_TO_FLOW_IMAGE=ghcr.io/acme/airbyte-to-flow --build-arg AIRBYTE_TO_FLOW_TAG=abc1234 -t ghcr.io/acme/source-stripe:local connectors/source-stripe
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
docker build -t ghcr.io/acme/airbyte-to-flow:local ." "docker commands"

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
