# shellcheck shell=bash
# The outputs of run (out, err, rc) are read by the scripts that source this.
# shellcheck disable=SC2034
# Shared by the script tests (tests/scripts/*_test.sh), which ctest runs with
# ATF_SOURCE_DIR (the repository), ATF_IMAGE_CHECK and ATF_BINARY set.
# Each test works in a sandbox: a copy of the scripts and connectors, never
# the repository itself.
set -euo pipefail

: "${ATF_SOURCE_DIR:?ATF_SOURCE_DIR must name the repository}"
work=$(mktemp -d "${TMPDIR:-/tmp}/script-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
current=""

# Starts a named case; its failures are reported under this name.
begin() { current=$1; }

fail() {
  echo "FAIL [$current]: $*" >&2
  failures=$((failures + 1))
}

assert_eq() {  # actual expected [what]
  [[ $1 == "$2" ]] || fail "${3:-value}: expected <<$2>>, got <<$1>>"
}

assert_contains() {  # text needle [what]
  [[ $1 == *"$2"* ]] || fail "${3:-output} does not contain <<$2>>; it is <<$1>>"
}

assert_not_contains() {  # text needle [what]
  [[ $1 != *"$2"* ]] || fail "${3:-output} contains <<$2>>"
}

assert_file_eq() {  # file expected-text
  if [[ ! -f $1 ]]; then fail "$1 does not exist"; return; fi
  assert_eq "$(cat "$1")" "$2" "$1"
}

# Runs a command, capturing stdout in $out, stderr in $err and the exit code in $rc.
run() {
  local o e
  o=$(mktemp "$work/out.XXXXXX") e=$(mktemp "$work/err.XXXXXX")
  rc=0
  "$@" >"$o" 2>"$e" </dev/null || rc=$?
  out=$(cat "$o") err=$(cat "$e")
  rm -f "$o" "$e"
}

# Like run, feeding $1 on stdin.
run_with_input() {
  local input=$1 o e
  shift
  o=$(mktemp "$work/out.XXXXXX") e=$(mktemp "$work/err.XXXXXX")
  rc=0
  printf '%s' "$input" | "$@" >"$o" 2>"$e" || rc=$?
  out=$(cat "$o") err=$(cat "$e")
  rm -f "$o" "$e"
}

# A fresh copy of the repository's scripts and connectors: $work/<name>.
sandbox() {
  local dir=$work/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$ATF_SOURCE_DIR"/{new-connector.sh,local-build.sh,pull-connector.sh,CMakeLists.txt} "$dir"/
  cp -r "$ATF_SOURCE_DIR/connectors" "$dir/connectors"
  echo "$dir"
}

finish() {
  if [[ $failures -gt 0 ]]; then
    echo "$failures failure(s)" >&2
    exit 1
  fi
  echo "all passed"
}
