#!/usr/bin/env bash
# Lists and searches the registry of derived connectors: every folder of
# connectors/ with a metadata.json (source-template and source-demo have none).
#
#   connectors/registry.sh list [--category C] [--json]   every connector (a table, or JSON)
#   connectors/registry.sh search TEXT [--json]           TEXT in name, display name, category,
#                                                         upstream image or description (any case)
#   connectors/registry.sh show NAME [--json]             one connector and its patch files
#   connectors/registry.sh names [--json]                 names only (JSON: CI's build matrix)
#   connectors/registry.sh -h                             this help
#
# Options: --dir DIR reads another connectors folder (default: this script's).
set -euo pipefail

usage() { sed -n '2,12s/^# \{0,1\}//p' "$0"; }
die() { echo "registry: $*" >&2; exit 1; }
command -v jq >/dev/null 2>&1 || die "needs jq (apt-get install jq)"

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
json=0 category="" command="" argument=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --json) json=1; shift ;;
    --category) [[ $# -ge 2 ]] || die "--category needs a value"; category=$2; shift 2 ;;
    --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; dir=$2; shift 2 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *)
      if [[ -z $command ]]; then command=$1
      elif [[ -z $argument ]]; then argument=$1
      else die "unexpected argument $1"; fi
      shift ;;
  esac
done

# All metadata as one JSON array sorted by name; a malformed file is an error
# that names it.
all_metadata() {
  local file files=()
  shopt -s nullglob
  for file in "$dir"/*/metadata.json; do
    jq -e 'type == "object" and (.name | type) == "string"' "$file" >/dev/null 2>&1 ||
      die "$file: not a JSON object with a string \"name\""
    files+=("$file")
  done
  [[ ${#files[@]} -gt 0 ]] || { echo '[]'; return; }
  jq -s 'sort_by(.name)' "${files[@]}"
}

# Prints connectors (a JSON array on stdin) as a table or as JSON.
print() {
  if [[ $json -eq 1 ]]; then jq .; return; fi
  jq -r '(["NAME", "CATEGORY", "UPSTREAM", "LICENSE", "DISPLAY NAME"] | @tsv),
         (.[] | [.name, .category, "\(.upstream_image):\(.upstream_version)", .license, .display_name] | @tsv)' |
    awk -F'\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NF }
                END { for (r = 1; r <= NR; r++) { line = ""
                        for (i = 1; i <= n; i++) line = line (i < n ? sprintf("%-" w[i] + 2 "s", cell[r, i]) : cell[r, i])
                        print line } }'
}

case "$command" in
  list)
    all_metadata | jq --arg c "$category" '[.[] | select($c == "" or .category == $c)]' | print ;;
  search)
    [[ -n $argument ]] || die "search needs TEXT"
    all_metadata | jq --arg t "$argument" '[.[] | select([.name, .display_name, .category, .upstream_image,
        .description] | map(. // "" | ascii_downcase) | any(contains($t | ascii_downcase)))]' | print ;;
  show)
    [[ -n $argument ]] || die "show needs NAME"
    [[ -f $dir/$argument/metadata.json ]] || argument=source-${argument#source-}
    folder=$dir/$argument
    [[ -f $folder/metadata.json && $argument != */* ]] || die "no connector named '$argument' (see: registry.sh list)"
    file_list=$(cd "$folder" && find . -type f ! -name metadata.json | sed 's|^\./||' | LC_ALL=C sort | jq -R . | jq -s .)
    if [[ $json -eq 1 ]]; then
      jq --argjson files "$file_list" '. + {files: $files}' "$folder/metadata.json"
    else
      jq -r --argjson files "$file_list" '"\(.display_name) (\(.name))", "  category: \(.category)",
        "  upstream: \(.upstream_image):\(.upstream_version)", "  license: \(.license)",
        "  documentation: \(.documentation_url)", "  \(.description)", "  files: \($files | join(", "))"' \
        "$folder/metadata.json"
    fi ;;
  names)
    if [[ $json -eq 1 ]]; then all_metadata | jq -c 'map(.name)'; else all_metadata | jq -r '.[].name'; fi ;;
  "") usage >&2; exit 2 ;;
  *) usage >&2; die "unknown command '$command'" ;;
esac
