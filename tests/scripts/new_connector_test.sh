#!/usr/bin/env bash
# new-connector.sh end to end: the folder it makes passes the image check and
# is listed by the registry; existing and bad names are refused.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${ATF_IMAGE_CHECK:?}"
root=$(sandbox repo)
cd "$root"

begin "creates a python connector"
run ./new-connector.sh faker 6.2.0
assert_eq "$rc" 0 "exit code"
assert_contains "$out" "Created connectors/source-faker (FROM airbyte/source-faker:6.2.0, api, MIT)"
assert_contains "$out" "./local-build.sh check source-faker"
assert_contains "$out" "./local-build.sh source-faker"
assert_contains "$out" "spec.patch.json"
assert_contains "$(cat connectors/source-faker/Dockerfile)" \
  'ENTRYPOINT ["/airbyte/integration_code/airbyte-to-flow", "--connector-entrypoint", "python /airbyte/integration_code/main.py"]'
assert_file_eq connectors/source-faker/documentation_url.patch.json \
  '{"documentation_url": "https://go.estuary.dev/source-faker"}'
assert_eq "$(stat -c %a connectors/source-faker)" 755 "folder mode"
assert_eq "$(find connectors -maxdepth 1 -name '.new-*' | wc -l)" 0 "scratch folders left"

begin "the new folder passes the image check"
run "$ATF_IMAGE_CHECK" connectors/source-faker
assert_eq "$rc" 0 "image-check exit code ($err)"
assert_contains "$out" "image-check: connectors/source-faker: ok (documentationUrl https://go.estuary.dev/source-faker; upstream snapshot: 0 streams (partial)"
assert_eq "$(jq -r '.complete, (.streams | length)' connectors/source-faker/upstream/streams.json | tr '\n' ' ')" "false 0 " "the empty snapshot"
assert_contains "$(cat connectors/source-faker/.dockerignore)" "upstream/"
assert_eq "$(jq -r '.flow_version + " " + .upstream_check.version' connectors/source-faker/metadata.json)" "v1 6.2.0"

begin "the new folder is in the registry"
run connectors/registry.sh list
assert_contains "$out" "source-faker"
assert_contains "$out" "airbyte/source-faker:6.2.0"
run connectors/registry.sh show faker --json
assert_eq "$(jq -r '.category + " " + .upstream_version + " " + .display_name' <<<"$out")" "api 6.2.0 Faker"

begin "refuses an existing name and leaves it alone"
run ./new-connector.sh source-faker 7.0.0
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "connectors/source-faker exists already"
assert_contains "$(cat connectors/source-faker/Dockerfile)" "FROM --platform=linux/amd64 airbyte/source-faker:6.2.0"

begin "refuses bad names and versions"
for bad in Faker -x a--b source- "../x" "x y" 9lives trailing- template; do
  run ./new-connector.sh "$bad" 1.0.0
  [[ $rc -ne 0 ]] || fail "accepted the name '$bad'"
  [[ $err == *"bad NAME"* || $err == *"reserved"* || $err == *"unknown option"* ]] ||
    fail "no clear error for the name '$bad': $err"
done
for bad in latest "1 0" "-1"; do
  run ./new-connector.sh okname "$bad"
  [[ $rc -ne 0 ]] || fail "accepted the version '$bad'"
done
run ./new-connector.sh --category saas okname 1.0
assert_contains "$err" "bad --category 'saas'"
assert_eq "$(find connectors -maxdepth 1 -name 'source-okname' -o -maxdepth 1 -name '.new-*' | wc -l)" 0 "folders made by refused runs"

begin "a java connector"
run ./new-connector.sh --java --display-name "MySQL" --license ELv2 mysql 3.1.0
assert_eq "$rc" 0 "exit code"
assert_contains "$(cat connectors/source-mysql/Dockerfile)" 'WORKDIR /airbyte'
assert_contains "$(cat connectors/source-mysql/Dockerfile)" '"--connector-entrypoint", "/airbyte/base.sh"'
assert_eq "$(jq -r '.category + " " + .license + " " + .display_name' connectors/source-mysql/metadata.json)" \
  "database ELv2 MySQL"
run "$ATF_IMAGE_CHECK" connectors/source-mysql
assert_eq "$rc" 0 "image-check exit code ($err)"

begin "display names from hyphenated names"
run ./new-connector.sh --category file google-sheets 0.5.0
assert_eq "$(jq -r .display_name connectors/source-google-sheets/metadata.json)" "Google Sheets"

begin "a display name with characters sed treats specially"
run ./new-connector.sh --display-name 'AT&T | Data' atnt 1.0.0
assert_eq "$rc" 0 "exit code ($err)"
assert_eq "$(jq -r .display_name connectors/source-atnt/metadata.json)" "AT&T | Data"
run ./new-connector.sh --display-name $'two\nlines' other 1.0.0
assert_contains "$err" "bad --display-name"

finish
