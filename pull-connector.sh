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
# Moving to another upstream version says whether Flow captures break: the
# folder's recorded snapshot (upstream/) and the new version's (--snapshot DIR,
# holding its spec.json and streams.json) are each turned into the Flow Spec
# and Discover responses by the image check (image-check --emit-flow), which
# `airbyte-to-flow drive compat OLD NEW` compares. Only a breaking upgrade
# bumps the Flow-facing vN (metadata.json flow_version, LABEL
# io.airbyte.version); the new snapshot replaces upstream/.
#
# Options:
#   --ours         keep our version of every differing file (no questions)
#   --theirs       take upstream's version of every differing file (no questions)
#   --version X    the upstream version to build on: sets the FROM tag (image-only) and
#                  metadata.json's upstream_version; needs --snapshot, --breaking or --compatible
#   --snapshot DIR the new version's snapshot (spec.json, streams.json) to compare and record
#   --breaking, --compatible
#                  say it yourself when there is no snapshot to compare
#   --remote URL   the Airbyte repository (default https://github.com/airbytehq/airbyte.git)
#   --ref REF      its branch or tag to compare with (default master)
#   -h, --help     this help
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '2,39s/^# \{0,1\}//p' "$0"; }
die() { echo "pull-connector: $*" >&2; exit 1; }
say() { echo "pull-connector: $*" >&2; }

policy="" version="" remote=https://github.com/airbytehq/airbyte.git ref=master name="" snapshot="" verdict=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --ours|--theirs)
      [[ -z $policy || $policy == "${1#--}" ]] || die "--ours and --theirs exclude each other"
      policy=${1#--}; shift ;;
    --breaking|--compatible)
      [[ -z $verdict || $verdict == "${1#--}" ]] || die "--breaking and --compatible exclude each other"
      verdict=${1#--}; shift ;;
    --version|--remote|--ref|--snapshot)
      [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"
      case "$1" in
        --version) version=$2 ;;
        --snapshot) snapshot=$2 ;;
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

from_pattern="^FROM[[:space:]]+(--platform=[^[:space:]]+[[:space:]]+)?airbyte/$name:"
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
  local dockerfile=$folder/Dockerfile metadata=$folder/metadata.json updated flow next
  if [[ $image_only -eq 1 ]]; then
    sed -E -i "s|($from_pattern)[^[:space:]]+|\\1$version|" "$dockerfile"
  fi
  grep -Eq 'io\.airbyte\.version=' "$dockerfile" || die "$dockerfile has no LABEL io.airbyte.version"
  command -v jq >/dev/null 2>&1 || die "needs jq to update $metadata (apt-get install jq)"
  flow=$(jq -r '.flow_version // "v1"' "$metadata" 2>/dev/null) || die "$metadata is not valid JSON"
  [[ $flow =~ ^v[1-9][0-9]*$ ]] || die "$metadata: flow_version '$flow' is not v1, v2, ..."
  next=$flow
  [[ $verdict == breaking ]] && next=v$((${flow#v} + 1))
  sed -E -i "s|(io\\.airbyte\\.version=)[^[:space:]]+|\\1$next|" "$dockerfile"
  updated=$(jq --arg v "$version" --arg f "$next" '.upstream_version = $v | .flow_version = $f
      | if .upstream_check then .upstream_check.version = $v else . end' "$metadata") || die "$metadata is not valid JSON"
  printf '%s\n' "$updated" >"$metadata"
  if [[ -n $snapshot ]]; then
    mkdir -p "$folder/upstream"
    cp "$snapshot/spec.json" "$snapshot/streams.json" "$folder/upstream/"
  fi
  if [[ $next != "$flow" ]]; then
    say "the upgrade is breaking: Flow-facing version $flow -> $next"
  else
    say "the upgrade is compatible: Flow-facing version stays $flow"
  fi
  say "connectors/$name now builds on upstream version $version (Dockerfile, metadata.json${snapshot:+, upstream/})"
  say "next: record in metadata.json's upstream_check what $version was checked against (released, sources, user)"
}

# Classifies the upgrade before anything is written: the Flow responses over
# the recorded snapshot and over the new one, compared by `drive compat`.
classify() {
  local image_check=${ATF_IMAGE_CHECK:-$root/build/tests/image-check}
  local shim=${ATF_BINARY:-$root/build/airbyte-to-flow} work rc=0 line
  [[ -f $snapshot/spec.json && -f $snapshot/streams.json ]] ||
    die "--snapshot $snapshot must hold the new version's spec.json and streams.json"
  [[ -x $image_check ]] || die "no image check at $image_check (build it: ./local-build.sh check, or set ATF_IMAGE_CHECK)"
  [[ -x $shim ]] || die "no airbyte-to-flow at $shim (build it, or set ATF_BINARY)"
  work=$(mktemp -d "${TMPDIR:-/tmp}/pull-connector-compat.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  "$image_check" --emit-flow "$work/old" "$folder" >"$work/old.log" 2>&1 ||
    die "connectors/$name does not pass the image check as it is; fix that first: $(tail -n 3 "$work/old.log" | tr '\n' ' ')"
  if ! "$image_check" --upstream "$snapshot" --emit-flow "$work/new" "$folder" >"$work/new.log" 2>&1; then
    [[ -f $work/new/discover.json ]] ||
      die "the image check cannot replay $snapshot: $(tail -n 3 "$work/new.log" | tr '\n' ' ')"
    say "the patch files do not fit $version's snapshot yet (fix them after the move):"
    sed -n 's/^  /  /p' "$work/new.log" >&2
  fi
  "$shim" drive compat "$work/old" "$work/new" >"$work/compat.log" 2>&1 || rc=$?
  while IFS= read -r line; do say "compat: $line"; done <"$work/compat.log"
  case $rc in
    0) verdict=compatible ;;
    1) verdict=breaking ;;
    *) die "cannot classify the upgrade: '$shim drive compat' exited with $rc (is a shim with the drive command built?); nothing was changed" ;;
  esac
  rm -rf "$work"
  trap - EXIT
}

if [[ -n $version ]]; then
  if [[ -n $snapshot ]]; then
    [[ -z $verdict ]] || die "--snapshot decides whether the upgrade is breaking; drop --$verdict"
    classify
  elif [[ -z $verdict ]]; then
    die "--version $version needs --snapshot DIR (the new version's spec.json and streams.json) to tell whether Flow captures break, or --breaking / --compatible to say it yourself"
  fi
fi

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
  ours=$(sed -E -n "s|$from_pattern([^[:space:]]+).*|\\2|p" "$folder/Dockerfile" | tail -n 1)
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
