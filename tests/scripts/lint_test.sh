#!/usr/bin/env bash
# Every shell script passes shellcheck and every workflow passes yamllint.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ATF_SOURCE_DIR"

begin "shellcheck"
scripts=()
while IFS= read -r -d '' script; do scripts+=("$script"); done < <(
  find . \( -path './build*' -o -path './.git' \) -prune -o -type f \( -name '*.sh' -o -path './.ci/run' \) -print0)
[[ ${#scripts[@]} -ge 8 ]] || fail "found only ${#scripts[@]} scripts: ${scripts[*]}"
run shellcheck -x "${scripts[@]}"
assert_eq "$rc" 0 "shellcheck exit code; its findings: $out $err"

begin "yamllint"
workflows=(.github/workflows/*.yml)
[[ ${#workflows[@]} -ge 2 ]] || fail "expected the shim and connectors workflows, found ${workflows[*]}"
run yamllint -s "${workflows[@]}"
assert_eq "$rc" 0 "yamllint exit code; its findings: $out $err"

finish
