#!/usr/bin/env bash
# Compares a derived connector with its upstream in the Airbyte repository and
# pulls upstream's changes.
#
#   ./pull-connector.sh [options] NAME          (NAME: faker or source-faker)
#
# A connector that vendors upstream code (its Dockerfile does not build FROM
# airbyte/source-NAME): for every file that differs from upstream you choose
# (k)eep ours or (t)ake theirs, or (d) to see the diff first; files only
# upstream has are taken, files only we have are kept. The Dockerfile,
# metadata.json, .dockerignore and the patch files are the derived
# connector's own and are never replaced. Answers are all collected before
# anything is written: an interrupted run changes nothing.
#
# An image-only connector (FROM airbyte/source-NAME:TAG) has no upstream files
# to merge: the upstream's current version is shown, and --version moves to it.
#
# Options:
#   --ours         keep our version of every differing file (no questions)
#   --theirs       take upstream's version of every differing file (no questions)
#   --version X    the upstream version to build on: sets the FROM tag (image-only),
#                  LABEL io.airbyte.version and metadata.json's upstream_version
#   --remote URL   the Airbyte repository (default https://github.com/airbytehq/airbyte.git)
#   --ref REF      its branch or tag to compare with (default master)
#   -h, --help     this help
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '2,27s/^# \{0,1\}//p' "$0"; }
die() { echo "pull-connector: $*" >&2; exit 1; }
say() { echo "pull-connector: $*" >&2; }

policy="" version="" remote=https://github.com/airbytehq/airbyte.git ref=master name=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --ours|--theirs)
      [[ -z $policy || $policy == "${1#--}" ]] || die "--ours and --theirs exclude each other"
      policy=${1#--}; shift ;;
    --version|--remote|--ref)
      [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"
      case "$1" in
        --version) version=$2 ;;
        --remote) remote=$2 ;;
        --ref) ref=$2 ;;
      esac
      shift 2 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [[ -z $name ]] || die "one connector at a time"; name=$1; shift ;;
  esac
done
[[ -n $name ]] || { usage >&2; die "expected the connector's NAME"; }
name=source-${name#source-}
[[ $name =~ ^source-[a-z0-9-]+$ ]] || die "bad NAME '$name'"
folder=$root/connectors/$name
[[ -f $folder/Dockerfile ]] || die "no connectors/$name/Dockerfile (connectors/registry.sh list shows the connectors)"
[[ -z $version || ($version =~ ^[0-9A-Za-z][0-9A-Za-z._-]*$ && $version != latest) ]] ||
  die "bad --version '$version': use the upstream image's version tag, e.g. 6.2.0"

from_pattern="^FROM[[:space:]]+airbyte/$name:"
image_only=0
grep -Eq "$from_pattern" "$folder/Dockerfile" && image_only=1

# The files a derived connector owns, never replaced from upstream.
ours_by_design() {
  case "$1" in
    Dockerfile|metadata.json|.dockerignore|spec.patch.json|spec.map.json|oauth2.patch.json) return 0 ;;
    documentation_url.patch.json|selected_streams.json|omitted_streams.json) return 0 ;;
    schema_normalizations.json|run_interval_minutes.json|streams/*) return 0 ;;
  esac
  return 1
}

bump_version() {
  local dockerfile=$folder/Dockerfile metadata=$folder/metadata.json updated
  if [[ $image_only -eq 1 ]]; then
    sed -E -i "s|($from_pattern)[^[:space:]]+|\\1$version|" "$dockerfile"
  fi
  grep -Eq 'io\.airbyte\.version=' "$dockerfile" || die "$dockerfile has no LABEL io.airbyte.version to set"
  sed -E -i "s|(io\\.airbyte\\.version=)[^[:space:]]+|\\1$version|" "$dockerfile"
  if [[ -f $metadata ]]; then
    command -v jq >/dev/null 2>&1 || die "needs jq to update $metadata (apt-get install jq)"
    updated=$(jq --arg v "$version" '.upstream_version = $v' "$metadata") || die "$metadata is not valid JSON"
    printf '%s\n' "$updated" >"$metadata"
  fi
  say "connectors/$name now builds on upstream version $version (Dockerfile, metadata.json)"
}

# An image-only connector needs no upstream checkout to change its version.
if [[ $image_only -eq 1 && -n $version ]]; then
  bump_version
  exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pull-connector.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

upstream_path=airbyte-integrations/connectors/$name
say "fetching $upstream_path from $remote ($ref)"
if ! git -c advice.detachedHead=false clone --quiet --depth 1 --filter=blob:none --sparse --branch "$ref" \
    "$remote" "$tmp/airbyte" >"$tmp/git.log" 2>&1 ||
   ! git -C "$tmp/airbyte" sparse-checkout set "$upstream_path" >>"$tmp/git.log" 2>&1; then
  die "cannot fetch $remote at $ref: $(grep -v '^warning:' "$tmp/git.log" | tail -n 1)"
fi
upstream=$tmp/airbyte/$upstream_path
[[ -d $upstream ]] || die "$remote at $ref has no $upstream_path"

if [[ $image_only -eq 1 ]]; then
  ours=$(sed -E -n "s|$from_pattern([^[:space:]]+).*|\\1|p" "$folder/Dockerfile" | tail -n 1)
  theirs=$(sed -E -n 's/^[[:space:]]*dockerImageTag:[[:space:]]*"?([^"[:space:]]+)"?.*/\1/p' \
             "$upstream/metadata.yaml" 2>/dev/null | head -n 1)
  say "connectors/$name is image-only (FROM airbyte/$name:$ours): there are no upstream files to merge"
  if [[ -z $theirs ]]; then
    say "upstream's metadata.yaml names no dockerImageTag; pick a version and run with --version X"
  elif [[ $theirs == "$ours" ]]; then
    say "upstream is at $theirs too: nothing to do"
  else
    say "upstream is at $theirs; move to it with: ./pull-connector.sh --version $theirs $name"
  fi
  exit 0
fi

# Decide every file first, write afterwards.
take=() keep=() new=() owned=()
while IFS= read -r -d '' file; do
  file=${file#./}
  if ours_by_design "$file"; then
    [[ -f $folder/$file ]] && ! cmp -s "$folder/$file" "$upstream/$file" && owned+=("$file")
    continue
  fi
  if [[ ! -e $folder/$file ]]; then
    new+=("$file")
    continue
  fi
  cmp -s "$folder/$file" "$upstream/$file" && continue
  choice=${policy:+${policy:0:1}}
  while [[ -z $choice ]]; do
    printf '%s differs from upstream: (k)eep ours, (t)ake theirs, (d)iff? ' "$file" >&2
    read -r answer <&3 || die "no answer for $file; nothing was changed (use --ours or --theirs when not interactive)"
    case "$answer" in
      k|keep) choice=o ;;
      t|take) choice=t ;;
      d|diff) diff -u "$folder/$file" "$upstream/$file" >&2 || true ;;
      *) echo "answer k, t or d" >&2 ;;
    esac
  done
  if [[ $choice == t ]]; then take+=("$file"); else keep+=("$file"); fi
done 3<&0 < <(cd "$upstream" && find . -type f -print0 | LC_ALL=C sort -z)

for file in ${take[@]+"${take[@]}"} ${new[@]+"${new[@]}"}; do
  mkdir -p "$(dirname "$folder/$file")"
  cp "$upstream/$file" "$folder/$file"
done
for file in ${new[@]+"${new[@]}"}; do say "new upstream file taken: $file"; done
for file in ${take[@]+"${take[@]}"}; do say "took upstream's $file"; done
for file in ${keep[@]+"${keep[@]}"}; do say "kept our $file"; done
for file in ${owned[@]+"${owned[@]}"}; do say "kept our $file (the derived connector's own; upstream's differs)"; done
say "connectors/$name: ${#new[@]} new, ${#take[@]} taken, ${#keep[@]} kept, ${#owned[@]} ours by design"
[[ -z $version ]] || bump_version
