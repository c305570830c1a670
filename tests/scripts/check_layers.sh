#!/usr/bin/env bash
# Fails when a source file includes a header of a layer above its own.
# The layers, lowest first (docs/design.md): a file may include its own
# layer and the ones below it, never one above.
#
#   usage: check_layers.sh [REPOSITORY]
set -euo pipefail
cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../..}"

# Folder (or generated header) -> rank. Tests, tools and fuzzers are not layers.
rank_of() {
  case "$1" in
    atf/base/*) echo 0 ;;
    flow.pb.h | capture.pb.h) echo 1 ;;
    atf/protocol/*) echo 2 ;;
    atf/runner/*) echo 3 ;;
    patches/*) echo 4 ;;
    interceptors/*) echo 5 ;;
    atf/drive/* | capture.grpc.pb.h) echo 6 ;;
    atf/app/*) echo 7 ;;
    *) echo "" ;;
  esac
}

status=0
for loose in atf/*.h atf/*.cc; do
  [[ -e $loose ]] || continue
  echo "check_layers: $loose is in atf/ itself; put it in the folder of its layer (atf/base, atf/protocol, atf/runner, atf/drive, atf/app)" >&2
  status=1
done
while IFS= read -r file; do
  [[ -f $file ]] || continue
  own=$(rank_of "$file")
  [[ -n $own ]] || continue
  line_number=0
  while IFS= read -r line; do
    line_number=$((line_number + 1))
    [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]] || continue
    target=${BASH_REMATCH[1]}
    rank=$(rank_of "$target")
    if [[ -n $rank && $rank -gt $own ]]; then
      echo "check_layers: $file:$line_number includes \"$target\", a layer above its own" >&2
      status=1
    fi
  done <"$file"
done < <(git ls-files -co --exclude-standard -- 'atf/*' 'patches/*' 'interceptors/*' 2>/dev/null ||
  find atf patches interceptors -type f)
exit "$status"
