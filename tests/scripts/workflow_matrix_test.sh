#!/usr/bin/env bash
# The connectors workflow's matrix is the registry: its `matrix` step, run as
# GitHub would run it, lists exactly the folders of connectors/ that have a
# metadata.json, and the build job's matrix comes from that step's output.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
workflow=$ATF_SOURCE_DIR/.github/workflows/connectors.yml

# The workflow's jobs as JSON (yamllint brings python3-yaml).
jobs_json=$(python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))["jobs"]))' "$workflow")

begin "the matrix step, run, lists exactly the registry's connectors"
step=$(jq -r '[.[] | .steps[]? | select(.id == "matrix")] | if length == 1 then .[0].run else error("want one step with id matrix") end' \
  <<<"$jobs_json")
output=$work/github_output
: >"$output"
(cd "$ATF_SOURCE_DIR" && GITHUB_OUTPUT=$output bash -euo pipefail -c "$step")
listed=$(sed -n 's/^connectors=//p' "$output" | jq -r '.[]')
folders=$(cd "$ATF_SOURCE_DIR/connectors" && for f in */metadata.json; do echo "${f%/metadata.json}"; done | LC_ALL=C sort)
assert_eq "$listed" "$folders" "the workflow's connectors"
[[ $(wc -l <<<"$folders") -ge 6 ]] || fail "the registry has fewer than six connectors"

begin "the build job's matrix is the plan's output, and no connector is named by hand"
plan_job=$(jq -r 'to_entries[] | select(any(.value.steps[]?; .id == "matrix")) | .key' <<<"$jobs_json")
assert_eq "$(jq -r ".\"$plan_job\".outputs.connectors" <<<"$jobs_json")" "\${{ steps.matrix.outputs.connectors }}"
assert_eq "$(jq -r '.build.strategy.matrix.connector' <<<"$jobs_json")" \
  "\${{ fromJSON(needs.$plan_job.outputs.connectors) }}"
for name in $folders; do
  assert_not_contains "$(cat "$workflow")" "$name" "the workflow"
done

begin "a folder added to connectors/ joins the matrix"
sandbox_root=$(sandbox repo)
mkdir -p "$sandbox_root/connectors/source-extra"
echo '{"name": "source-extra"}' >"$sandbox_root/connectors/source-extra/metadata.json"
: >"$output"
(cd "$sandbox_root" && GITHUB_OUTPUT=$output bash -euo pipefail -c "$step")
assert_contains "$(cat "$output")" '"source-extra"'

begin "each built image is smoke-run, then pushed as :vN, :dev, :<sha> and the upstream version"
steps=$(jq -c '.build.steps' <<<"$jobs_json")
# shellcheck disable=SC2016 # the literal text of the step
assert_contains "$(jq -r '.[] | select(.name == "Run it as Flow does") | .run' <<<"$steps")" \
  'connectors/smoke-image.sh $check "$image" "connectors/$CONNECTOR"'
assert_contains "$(jq -r '.[] | select(.name == "Build") | .run' <<<"$steps")" "--platform linux/amd64"
names=$(jq -r '.[].name // empty' <<<"$steps")
[[ $(grep -n "Run it as Flow does" <<<"$names" | cut -d: -f1) -lt $(grep -n "^Push" <<<"$names" | cut -d: -f1) ]] ||
  fail "the smoke run does not come before the push"
push=$(jq -r '.[] | select(.name // "" | startswith("Push")) | .run' <<<"$steps")
mkdir -p "$work/bin"
# shellcheck disable=SC2016 # a script written literally
printf '#!/bin/sh\necho "docker $*" >>"$DOCKER_LOG"\n' >"$work/bin/docker"
chmod +x "$work/bin/docker"
: >"$work/docker.log"
(cd "$ATF_SOURCE_DIR" && PATH="$work/bin:$PATH" DOCKER_LOG=$work/docker.log CONNECTOR=source-jira SHA=abc1234 \
  GITHUB_REPOSITORY_OWNER=Acme bash -euo pipefail -c "$push")
flow_version=$(jq -r .flow_version "$ATF_SOURCE_DIR/connectors/source-jira/metadata.json")
upstream_version=$(jq -r .upstream_version "$ATF_SOURCE_DIR/connectors/source-jira/metadata.json")
assert_eq "$(grep '^docker push' "$work/docker.log")" "docker push ghcr.io/acme/source-jira:$flow_version
docker push ghcr.io/acme/source-jira:dev
docker push ghcr.io/acme/source-jira:abc1234
docker push ghcr.io/acme/source-jira:$upstream_version" "pushed tags"

finish
