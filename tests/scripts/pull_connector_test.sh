#!/usr/bin/env bash
# pull-connector.sh against a local git repository standing in for Airbyte's:
# --ours, --theirs, interactive answers (piped), an interrupted run that
# changes nothing, --version bumping, clear failures, and no temporary
# worktree left behind on any exit path.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${ATF_IMAGE_CHECK:?}"
export TMPDIR=$work/tmp GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
mkdir -p "$TMPDIR"

# ---- the stand-in upstream ----------------------------------------------------
upstream=$work/airbyte
acme=$upstream/airbyte-integrations/connectors/source-acme
mkdir -p "$acme/source_acme/schemas" "$upstream/airbyte-integrations/connectors/source-faker"
echo "print('v2')" >"$acme/main.py"
echo "spec: same" >"$acme/source_acme/spec.yaml"
echo "class Source: pass  # theirs" >"$acme/source_acme/source.py"
echo '{"type": "object"}' >"$acme/source_acme/schemas/users.json"
echo "FROM python:3.11" >"$acme/Dockerfile"
printf 'data:\n  dockerImageTag: 2.1.0\n' >"$acme/metadata.yaml"
printf 'data:\n  dockerImageTag: "6.3.0"\n' >"$upstream/airbyte-integrations/connectors/source-faker/metadata.yaml"
git -C "$upstream" init -q -b master
git -C "$upstream" add -A
git -C "$upstream" -c user.name=t -c user.email=t@t commit -q -m upstream

# ---- our side: a vendored connector and an image-only one -------------------
fresh() {
  root=$(sandbox repo)
  local ours=$root/connectors/source-acme
  mkdir -p "$ours/source_acme"
  cat >"$ours/Dockerfile" <<'DOCKERFILE'
ARG AIRBYTE_TO_FLOW_TAG=dev
FROM ghcr.io/estuary/airbyte-to-flow:${AIRBYTE_TO_FLOW_TAG} AS airbyte-to-flow
FROM python:3.11-slim
LABEL io.airbyte.name=airbyte/source-acme io.airbyte.version=2.0.0
DOCKERFILE
  echo '{"name": "source-acme", "upstream_version": "2.0.0"}' >"$ours/metadata.json"
  echo '{"properties": {}}' >"$ours/spec.patch.json"
  echo "print('v1')" >"$ours/main.py"
  echo "spec: same" >"$ours/source_acme/spec.yaml"
  echo "class Source: pass  # ours" >"$ours/source_acme/source.py"
  cd "$root"
  ./new-connector.sh faker 6.2.0 >/dev/null  # an image-only connector
}

pull() { run ./pull-connector.sh --remote "$upstream" "$@"; }
pull_answering() { local answers=$1; shift; run_with_input "$answers" ./pull-connector.sh --remote "$upstream" "$@"; }
no_temp_left() { assert_eq "$(find "$TMPDIR" -mindepth 1 | wc -l)" 0 "files left in TMPDIR after: $current"; }

begin "--ours keeps every differing file and takes new ones"
fresh
pull --ours acme
assert_eq "$rc" 0 "exit code ($err)"
assert_file_eq connectors/source-acme/main.py "print('v1')"
assert_file_eq connectors/source-acme/source_acme/source.py "class Source: pass  # ours"
assert_file_eq connectors/source-acme/source_acme/schemas/users.json '{"type": "object"}'
assert_file_eq connectors/source-acme/metadata.yaml "$(printf 'data:\n  dockerImageTag: 2.1.0')"
assert_contains "$(cat connectors/source-acme/Dockerfile)" "airbyte-to-flow" "our Dockerfile"
assert_contains "$err" "kept our Dockerfile (the derived connector's own; upstream's differs)"
assert_contains "$err" "connectors/source-acme: 2 new, 0 taken, 2 kept, 1 ours by design"
no_temp_left

begin "--theirs takes every differing file but never the derived connector's own"
fresh
pull --theirs source-acme
assert_eq "$rc" 0 "exit code ($err)"
assert_file_eq connectors/source-acme/main.py "print('v2')"
assert_file_eq connectors/source-acme/source_acme/source.py "class Source: pass  # theirs"
assert_file_eq connectors/source-acme/spec.patch.json '{"properties": {}}'
assert_contains "$(cat connectors/source-acme/Dockerfile)" "airbyte-to-flow" "our Dockerfile"
no_temp_left

begin "interactive: a diff, then take one file and keep the other"
fresh
pull_answering $'d\nt\nk\n' acme
assert_eq "$rc" 0 "exit code ($err)"
assert_contains "$err" "main.py differs from upstream: (k)eep ours, (t)ake theirs, (d)iff?"
assert_contains "$err" "-print('v1')"
assert_contains "$err" "+print('v2')"
assert_file_eq connectors/source-acme/main.py "print('v2')"
assert_file_eq connectors/source-acme/source_acme/source.py "class Source: pass  # ours"
no_temp_left

begin "interactive, answers run out: nothing is changed"
fresh
pull_answering $'t\n' acme
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "no answer for source_acme/source.py; nothing was changed"
assert_file_eq connectors/source-acme/main.py "print('v1')"
[[ ! -e connectors/source-acme/source_acme/schemas ]] || fail "a new file was written by a run that failed"
no_temp_left

# A stand-in for `airbyte-to-flow drive compat OLD NEW` (the driver's interface):
# breaking when a binding of OLD is gone from NEW, else compatible.
fake_atf=$work/bin/fake-atf
mkdir -p "$work/bin"
cat >"$fake_atf" <<'STANDIN'
#!/bin/sh
[ "$1 $2" = "drive compat" ] && [ $# -eq 4 ] || { echo "usage: drive compat OLD NEW" >&2; exit 2; }
[ -n "${FAKE_COMPAT_EXIT:-}" ] && exit "$FAKE_COMPAT_EXIT"
for dir in "$3" "$4"; do
  [ -f "$dir/spec.json" ] && [ -f "$dir/discover.json" ] || { echo "no spec.json/discover.json in $dir" >&2; exit 2; }
done
jq -r '.bindings[]?.recommendedName' "$3/discover.json" | sort >"$3/names"
jq -r '.bindings[]?.recommendedName' "$4/discover.json" | sort >"$4/names"
gone=$(comm -23 "$3/names" "$4/names")
if [ -n "$gone" ]; then
  for name in $gone; do echo "breaking: binding $name is gone"; done
  exit 1
fi
echo "compatible: every binding is kept"
STANDIN
chmod +x "$fake_atf"
snapshot() {  # DIR STREAM... : a snapshot with these streams
  local dir=$1 streams="" stream
  shift
  mkdir -p "$dir"
  echo '{"connectionSpecification": {"type": "object", "properties": {}}}' >"$dir/spec.json"
  for stream in "$@"; do
    streams+="${streams:+,}{\"name\": \"$stream\", \"supported_sync_modes\": [\"full_refresh\"]}"
  done
  echo "{\"source\": \"a test\", \"complete\": true, \"streams\": [$streams]}" >"$dir/streams.json"
}
bump() { run env ATF_BINARY="$fake_atf" ./pull-connector.sh "$@"; }

begin "--version with a compatible snapshot: FROM, metadata and upstream/ move, vN stays, the image check passes"
fresh
snapshot "$work/faker-6.3.0" users
bump --version 6.3.0 --snapshot "$work/faker-6.3.0" faker
assert_eq "$rc" 0 "exit code ($err)"
assert_contains "$err" "compat: compatible: every binding is kept"
assert_contains "$err" "the upgrade is compatible: Flow-facing version stays v1"
assert_contains "$(cat connectors/source-faker/Dockerfile)" "FROM --platform=linux/amd64 airbyte/source-faker:6.3.0"
assert_contains "$(cat connectors/source-faker/Dockerfile)" "LABEL io.airbyte.version=v1"
assert_eq "$(grep -c '6.2.0' connectors/source-faker/Dockerfile)" 0 "old version left in the Dockerfile"
assert_eq "$(jq -r '.upstream_version + " " + .flow_version + " " + .upstream_check.version' \
  connectors/source-faker/metadata.json)" "6.3.0 v1 6.3.0"
assert_eq "$(jq -r '.streams[].name' connectors/source-faker/upstream/streams.json)" "users" "the recorded snapshot"
run "$ATF_IMAGE_CHECK" connectors/source-faker
assert_eq "$rc" 0 "image-check after the bump ($err)"
no_temp_left

begin "--version with a breaking snapshot bumps vN in the label and metadata"
snapshot "$work/faker-7.0.0"
bump --version 7.0.0 --snapshot "$work/faker-7.0.0" faker
assert_eq "$rc" 0 "exit code ($err)"
assert_contains "$err" "compat: breaking: binding users is gone"
assert_contains "$err" "the upgrade is breaking: Flow-facing version v1 -> v2"
assert_contains "$(cat connectors/source-faker/Dockerfile)" "LABEL io.airbyte.version=v2"
assert_eq "$(jq -r '.upstream_version + " " + .flow_version' connectors/source-faker/metadata.json)" "7.0.0 v2"
run "$ATF_IMAGE_CHECK" connectors/source-faker
assert_eq "$rc" 0 "image-check after the breaking bump ($err)"
no_temp_left

begin "--version without a snapshot or a verdict, or when compat cannot run: nothing changes"
before=$(cat connectors/source-faker/Dockerfile connectors/source-faker/metadata.json)
bump --version 7.1.0 faker
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "--version 7.1.0 needs --snapshot DIR"
run env ATF_BINARY="$fake_atf" FAKE_COMPAT_EXIT=2 ./pull-connector.sh --version 7.1.0 --snapshot "$work/faker-7.0.0" faker
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "cannot classify the upgrade"
run env ATF_BINARY="$work/no-such-binary" ./pull-connector.sh --version 7.1.0 --snapshot "$work/faker-7.0.0" faker
assert_contains "$err" "no airbyte-to-flow at $work/no-such-binary"
bump --version 7.1.0 --snapshot "$work/nowhere" faker
assert_contains "$err" "must hold the new version's spec.json and streams.json"
assert_eq "$(cat connectors/source-faker/Dockerfile connectors/source-faker/metadata.json)" "$before" "the folder"
no_temp_left

begin "--version --breaking: said by hand when there is nothing to compare"
bump --version 7.1.0 --breaking faker
assert_eq "$rc" 0 "exit code ($err)"
assert_eq "$(jq -r '.upstream_version + " " + .flow_version' connectors/source-faker/metadata.json)" "7.1.0 v3"
bump --version 7.2.0 --breaking --compatible faker
assert_contains "$err" "--breaking and --compatible exclude each other"

begin "an image-only connector without --version: upstream's version is shown"
fresh
pull faker
assert_eq "$rc" 0 "exit code ($err)"
assert_contains "$err" "connectors/source-faker is image-only (FROM airbyte/source-faker:6.2.0)"
assert_contains "$err" "upstream is at 6.3.0; move to it with: ./pull-connector.sh --version 6.3.0 source-faker"
assert_contains "$(cat connectors/source-faker/Dockerfile)" "FROM --platform=linux/amd64 airbyte/source-faker:6.2.0"
no_temp_left

begin "--theirs --version on a vendored connector: label and metadata, the FROM base stays"
fresh
pull --theirs --version 2.1.0 --compatible acme
assert_eq "$rc" 0 "exit code ($err)"
assert_contains "$(cat connectors/source-acme/Dockerfile)" "io.airbyte.version=v1"
assert_contains "$(cat connectors/source-acme/Dockerfile)" "FROM python:3.11-slim"
assert_eq "$(jq -r .upstream_version connectors/source-acme/metadata.json)" "2.1.0"
no_temp_left

begin "failures are clear and leave nothing behind"
fresh
run ./pull-connector.sh --remote "$work/no-such-repo" --ours acme
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "cannot fetch $work/no-such-repo at master"
no_temp_left
pull --ref no-such-branch --ours acme
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "cannot fetch"
no_temp_left
cp -r connectors/source-acme connectors/source-gone
pull --ours gone
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "has no airbyte-integrations/connectors/source-gone"
no_temp_left
pull --ours --theirs acme
assert_contains "$err" "--ours and --theirs exclude each other"
pull nope
assert_contains "$err" "no connectors/source-nope/Dockerfile"
pull --version latest faker
assert_contains "$err" "bad --version 'latest'"

finish
