#!/usr/bin/env bash
# Creates a derived connector from connectors/source-template.
#
#   ./new-connector.sh [options] NAME VERSION
#
#   NAME      the upstream connector, e.g. faker (or source-faker): lower-case
#             letters, digits and single hyphens
#   VERSION   the upstream image tag to build FROM, e.g. 6.2.0
#
# Options:
#   --java              a Java connector (WORKDIR /airbyte, entrypoint /airbyte/base.sh);
#                       the default is a Python one (WORKDIR /airbyte/integration_code,
#                       entrypoint `python /airbyte/integration_code/main.py`)
#   --category C        api, database, file or other (default: api; database with --java)
#   --display-name D    the name people see (default: from NAME, e.g. "Google Sheets")
#   --license L         the upstream connector's license (default: MIT)
#   -h, --help          this help
#
# Writes connectors/source-NAME/{Dockerfile,metadata.json,documentation_url.patch.json,.dockerignore}
# and an empty upstream/ snapshot (spec.json, streams.json) to fill in, and
# refuses to touch a folder that exists.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '2,21s/^# \{0,1\}//p' "$0"; }
die() { echo "new-connector: $*" >&2; exit 1; }

java=0 category="" display_name="" license=MIT
positional=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --java) java=1; shift ;;
    --category|--display-name|--license)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --category) category=$2 ;;
        --display-name) display_name=$2 ;;
        --license) license=$2 ;;
      esac
      shift 2 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) positional+=("$1"); shift ;;
  esac
done
[[ ${#positional[@]} -eq 2 ]] || { usage >&2; die "expected NAME and VERSION"; }

short=${positional[0]#source-}
version=${positional[1]}
[[ $short =~ ^[a-z][a-z0-9]*(-[a-z0-9]+)*$ ]] ||
  die "bad NAME '${positional[0]}': use lower-case letters, digits and single hyphens, starting with a letter (e.g. google-sheets)"
[[ $short != template && $short != demo ]] || die "NAME '$short' is reserved"
[[ $version =~ ^[0-9A-Za-z][0-9A-Za-z._-]*$ && $version != latest ]] ||
  die "bad VERSION '$version': use the upstream image's version tag, e.g. 6.2.0"
case "${category:=$([[ $java -eq 1 ]] && echo database || echo api)}" in
  api|database|file|other) ;;
  *) die "bad --category '$category': use api, database, file or other" ;;
esac
[[ $license =~ ^[A-Za-z0-9.+-]+$ ]] || die "bad --license '$license': use an SPDX-like id such as MIT or ELv2"
if [[ -z $display_name ]]; then
  display_name=$(echo "$short" | tr '-' ' ' | awk '{for (i = 1; i <= NF; i++) $i = toupper(substr($i, 1, 1)) substr($i, 2)} 1')
fi
[[ $display_name != *[\"\\@[:cntrl:]]* ]] || die "bad --display-name: it may not contain \", \\, @ or control characters"
# The display name is free text: escape what sed's replacement treats specially.
display_name_sed=$(printf '%s' "$display_name" | sed -e 's/[&|]/\\&/g')

name=source-$short
template=$root/connectors/source-template
target=$root/connectors/$name
[[ ! -e $target ]] || die "connectors/$name exists already; edit it, or remove it first"

if [[ $java -eq 1 ]]; then
  workdir=/airbyte entrypoint=/airbyte/base.sh
else
  workdir=/airbyte/integration_code entrypoint="python /airbyte/integration_code/main.py"
fi

# Fill the template in a scratch folder and move it into place whole, so that
# a failure never leaves a half-made connector behind.
scratch=$(mktemp -d "$root/connectors/.new-$short.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$scratch/upstream"
for input in "$template"/*.in "$template"/upstream/*.in; do
  output=${input#"$template"/}
  output=${output%.in}
  [[ $output == dockerignore ]] && output=.dockerignore
  sed -e "s|@NAME@|$name|g" -e "s|@VERSION@|$version|g" -e "s|@UPSTREAM_IMAGE@|airbyte/$name|g" \
      -e "s|@WORKDIR@|$workdir|g" -e "s|@CONNECTOR_ENTRYPOINT@|$entrypoint|g" \
      -e "s|@DISPLAY_NAME@|$display_name_sed|g" -e "s|@CATEGORY@|$category|g" -e "s|@LICENSE@|$license|g" \
      "$input" >"$scratch/$output"
done
if grep -rn '@[A-Z_]*@' "$scratch" >&2; then die "the template has a placeholder new-connector.sh does not fill"; fi
chmod 0755 "$scratch"  # mktemp made it private
mv "$scratch" "$target"
trap - EXIT

cat <<EOF_NEXT
Created connectors/$name (FROM airbyte/$name:$version, $category, $license):
  Dockerfile                    builds FROM the upstream image, adds the shim and the patch files
  metadata.json                 the registry entry (display name, category, license, links)
  documentation_url.patch.json  the documentation link the Spec response carries
  upstream/spec.json            the pinned upstream's SPEC payload: replace the empty one
  upstream/streams.json         its streams (names, keys, sync modes, cursors, schemas): fill in

Patch files you can add next to them (each optional; see README.md, "Patch files"):
  spec.patch.json               RFC 7396 merge patch of the connector's config schema
  spec.map.json                 moves config values before the connector sees them
  oauth2.patch.json             Flow's OAuth2 spec, replacing the connector's own
  selected_streams.json         only these streams are discovered
  omitted_streams.json          these streams are never discovered
  schema_normalizations.json    ["date-to-datetime"]: date fields become date-time
  run_interval_minutes.json     minutes between capture runs
  streams/NAME.patch.json       merge patch of one stream's schema (streams/*.patch.json: every stream)
  streams/NAME.pk.json          the collection key of a stream, e.g. ["id"]
  streams/NAME.normalize.json   per-field datetime_to_date normalizations
Top-level *.json files are copied into the image already; if you add streams/, also add
  COPY streams ./streams
to the Dockerfile.

Next:
  record the snapshot             upstream/ from $version's spec and schema files (README.md, "Adding a connector")
  fill in metadata.json           upstream_check: the release date, what you read, the image's user
  ./local-build.sh check $name    check the image without Docker (Dockerfile, patch files, Spec and Discover)
  ./local-build.sh $name          build ghcr.io/\${ATF_ORG:-estuary}/$name:local with Docker
EOF_NEXT
