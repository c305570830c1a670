#!/usr/bin/env bash
# connectors/registry.sh: the listing, filters, search and JSON that CI uses.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(sandbox repo)
registry=$root/connectors/registry.sh
expected_names=$(cd "$root/connectors" && for f in */metadata.json; do echo "${f%/metadata.json}"; done | LC_ALL=C sort)

begin "names are exactly the folders with metadata.json"
run "$registry" names
assert_eq "$out" "$expected_names"
run "$registry" names --json
assert_eq "$(jq -r '.[]' <<<"$out")" "$expected_names"
assert_not_contains "$out" "source-template"
assert_not_contains "$out" "source-demo"

begin "the table has a header and one row per connector"
run "$registry" list
assert_eq "$(head -n 1 <<<"$out" | tr -s ' ')" "NAME CATEGORY UPSTREAM LICENSE DISPLAY NAME"
assert_eq "$(tail -n +2 <<<"$out" | awk '{print $1}')" "$expected_names"

begin "filter by category"
run "$registry" list --category database --json
assert_eq "$(jq -r '.[].name' <<<"$out")" "source-postgres"
run "$registry" list --category nothing --json
assert_eq "$out" "[]"

begin "free-text search, any case, over several fields"
run "$registry" search SHEETS --json
assert_eq "$(jq -r '.[].name' <<<"$out")" "source-google-sheets"
run "$registry" search "pull requests" --json   # in GitHub's description only
assert_eq "$(jq -r '.[].name' <<<"$out")" "source-github"
run "$registry" search airbyte/source-stripe
assert_contains "$out" "source-stripe"

begin "show one connector with its files"
run "$registry" show github
assert_contains "$out" "GitHub (source-github)"
assert_contains "$out" "streams/events.patch.json"
run "$registry" show source-nope
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "no connector named 'source-nope'"

begin "a malformed metadata.json is named"
mkdir -p "$root/connectors/source-broken"
echo '{"name": ' >"$root/connectors/source-broken/metadata.json"
run "$registry" list
assert_eq "$rc" 1 "exit code"
assert_contains "$err" "connectors/source-broken/metadata.json: not a JSON object"

finish
