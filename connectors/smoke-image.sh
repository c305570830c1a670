#!/usr/bin/env bash
# Runs a built connector image the way Flow does and checks what it answers.
#
#   connectors/smoke-image.sh [--expect-version LINE | --any-commit] IMAGE FOLDER
#
#   IMAGE    the image to run, e.g. ghcr.io/estuary/source-jira:local
#   FOLDER   its connector folder, e.g. connectors/source-jira
#
# Checks, with `docker run --platform linux/amd64`:
#   * Flow's probe on stdin, {"spec":{"connectorType":"IMAGE","config":{}}}, gets exactly one
#     line back: a Spec response with protocol 3032023 and the documentation URL of the
#     folder's documentation_url.patch.json;
#   * the shim inside the image (<WORKDIR>/airbyte-to-flow --version) prints LINE, by default
#     "airbyte-to-flow <version> (<commit>)" with the version this checkout's CMakeLists.txt
#     declares and its commit (the image must be built on this commit's shim); with
#     --any-commit, this version built from any commit (an image built on the :dev shim);
#   * the image's io.airbyte.version label is the folder's metadata.json flow_version.
# Exits 1 naming the first check that failed.
set -euo pipefail

usage() { sed -n '2,16s/^# \{0,1\}//p' "$0"; }
die() { echo "smoke-image: $*" >&2; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
expected=""
any_commit=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --expect-version) [[ $# -ge 2 ]] || die "--expect-version needs a value"; expected=$2; shift 2 ;;
    --any-commit) any_commit=1; shift ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) break ;;
  esac
done
[[ $# -eq 2 ]] || { usage >&2; die "expected IMAGE and FOLDER"; }
image=$1 folder=$2
command -v docker >/dev/null 2>&1 || die "docker is not installed"
command -v jq >/dev/null 2>&1 || die "needs jq (apt-get install jq)"
[[ -f $folder/Dockerfile && -f $folder/documentation_url.patch.json && -f $folder/metadata.json ]] ||
  die "$folder is not a connector folder (Dockerfile, documentation_url.patch.json, metadata.json)"

if [[ -z $expected ]]; then
  version=$(sed -n 's/^project(airbyte_to_flow VERSION \([^ )]*\).*/\1/p' "$root/CMakeLists.txt")
  [[ -n $version ]] || die "cannot read the shim's version from $root/CMakeLists.txt; pass --expect-version"
  if [[ $any_commit -eq 1 ]]; then
    commit='*'
  else
    commit=$(git -C "$root" rev-parse --short=7 HEAD 2>/dev/null) ||
      die "cannot tell this checkout's commit (not a git checkout?); pass --expect-version or --any-commit"
  fi
  expected="airbyte-to-flow $version ($commit)"
fi
url=$(jq -er '.documentation_url' "$folder/documentation_url.patch.json") ||
  die "$folder/documentation_url.patch.json has no documentation_url"
flow_version=$(jq -er '.flow_version' "$folder/metadata.json") || die "$folder/metadata.json has no flow_version"
workdir=$(sed -n 's/^WORKDIR[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$folder/Dockerfile" | tail -n 1)
[[ $workdir == /* ]] || die "$folder/Dockerfile has no absolute WORKDIR"

# 1. Flow's probe: one Spec response line, carrying the patched documentation URL.
out=$(printf '{"spec":{"connectorType":"IMAGE","config":{}}}\n' |
  docker run -i --rm --platform linux/amd64 "$image" 2>"${TMPDIR:-/tmp}/smoke-image.$$.err") || {
  err=$(tail -n 1 "${TMPDIR:-/tmp}/smoke-image.$$.err" 2>/dev/null || true)
  rm -f "${TMPDIR:-/tmp}/smoke-image.$$.err"
  die "$image: the Spec probe failed: ${err:-no error output}"
}
rm -f "${TMPDIR:-/tmp}/smoke-image.$$.err"
lines=$(grep -c . <<<"$out" || true)
[[ $lines -eq 1 ]] || die "$image: the Spec probe answered $lines lines, expected exactly one: ${out:0:300}"
jq -e --arg url "$url" '.spec.protocol == 3032023 and .spec.documentationUrl == $url' <<<"$out" >/dev/null 2>&1 ||
  die "$image: the Spec response is not protocol 3032023 with documentationUrl $url: ${out:0:300}"
echo "smoke-image: $image answers Flow's Spec probe with documentationUrl $url"

# 2. The shim inside is this checkout's.
shim_version=$(docker run --rm --platform linux/amd64 --entrypoint "$workdir/airbyte-to-flow" "$image" --version) ||
  die "$image: $workdir/airbyte-to-flow --version failed"
# shellcheck disable=SC2053 # with --any-commit, `expected` is a pattern on purpose
[[ $shim_version == $expected ]] ||
  die "$image: the shim says '$shim_version', expected '$expected' (built on another shim image?)"
echo "smoke-image: $image runs $shim_version"

# 3. The Flow-facing version label.
label=$(docker image inspect --format '{{index .Config.Labels "io.airbyte.version"}}' "$image") ||
  die "$image: docker image inspect failed"
[[ $label == "$flow_version" ]] ||
  die "$image: LABEL io.airbyte.version is '$label', but $folder/metadata.json's flow_version is '$flow_version'"
echo "smoke-image: $image is labelled io.airbyte.version=$label"
