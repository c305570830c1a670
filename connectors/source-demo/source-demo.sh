#!/bin/sh
# A tiny Airbyte source for demos and tests: no network, three streams with
# nested objects, arrays and date-time fields, STREAM state and resumption.
#
#   source-demo.sh spec | check --config C | discover --config C
#   source-demo.sh read --config C --catalog K [--state S]
#
# Config: {"api_key": "...", "record_count": N}. An api_key of "bad" fails check.
set -eu

cmd=${1:-}
shift || true
config="" catalog="" state=""
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config=$2; shift 2 ;;
    --catalog) catalog=$2; shift 2 ;;
    --state) state=$2; shift 2 ;;
    *) echo "source-demo: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { printf '{"type":"LOG","log":{"level":"%s","message":"%s"}}\n' "$1" "$2"; }

# Reads an integer member of the config (or a default).
config_int() {
  v=$(sed -n "s/.*\"$1\" *: *\([0-9][0-9]*\).*/\1/p" "$config" 2>/dev/null | head -n 1)
  echo "${v:-$2}"
}

case "$cmd" in
spec)
  log INFO "source-demo: spec"
  cat <<'SPEC'
{"type":"SPEC","spec":{"documentationUrl":"https://example.com/source-demo","connectionSpecification":{"$schema":"http://json-schema.org/draft-07/schema#","title":"Demo Source Spec","type":"object","required":["api_key"],"properties":{"api_key":{"type":"string","title":"API Key","airbyte_secret":true,"order":0},"record_count":{"type":"integer","title":"Records per stream","default":3,"minimum":1,"maximum":1000,"order":1},"start_date":{"type":"string","format":"date","pattern_descriptor":"YYYY-MM-DD","group":"advanced"}}}}}
SPEC
  ;;
check)
  if grep -q '"api_key" *: *"bad"' "$config"; then
    printf '%s\n' '{"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"The API key was rejected (demo: api_key is \"bad\")."}}'
  else
    printf '%s\n' '{"type":"CONNECTION_STATUS","connectionStatus":{"status":"SUCCEEDED"}}'
  fi
  ;;
discover)
  log INFO "source-demo: discover"
  cat <<'CATALOG'
{"type":"CATALOG","catalog":{"streams":[{"name":"users","json_schema":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"id":{"type":["null","integer"]},"name":{"type":["null","string"]},"email":{"type":["null","string"],"format":"email"},"plan":{"type":["null","string"],"enum":["free","pro","enterprise"]},"address":{"type":["null","object"],"properties":{"street":{"type":["null","string"]},"city":{"type":["null","string"]}}},"tags":{"type":["null","array"],"items":{"type":"string"}},"created_at":{"type":["null","string"],"format":"date-time","airbyte_type":"timestamp_with_timezone"}}},"supported_sync_modes":["full_refresh","incremental"],"source_defined_cursor":true,"default_cursor_field":["created_at"],"source_defined_primary_key":[["id"]]},{"name":"events","json_schema":{"type":"object","properties":{"id":{"type":"integer"},"user_id":{"type":"integer"},"kind":{"type":"string"},"occurred_at":{"type":["number","string"],"format":"date-time"},"payload":{"type":"object","properties":{"path":{"type":"string"},"duration_ms":{"type":"number","format":"double"}}}}},"supported_sync_modes":["full_refresh","incremental"],"source_defined_cursor":true,"default_cursor_field":["id"],"source_defined_primary_key":[["id"]]},{"name":"daily_stats","namespace":"reporting","json_schema":{"type":"object","properties":{"day":{"type":"string","format":"date"},"signups":{"type":"integer"},"revenue":{"type":"number"}}},"supported_sync_modes":["full_refresh"],"source_defined_primary_key":[["day"]]}]}}
CATALOG
  ;;
read)
  count=$(config_int record_count 3)
  selected() { grep -q "\"name\" *: *\"$1\"" "$catalog"; }
  # Resume `events` after the id in its stream state, if any.
  last_event=0
  if [ -n "$state" ] && [ -s "$state" ]; then
    last_event=$(tr -d ' \n' < "$state" | sed -n 's/.*"name":"events"[^]]*"last_id":\([0-9][0-9]*\).*/\1/p')
    last_event=${last_event:-0}
  fi
  log INFO "source-demo: read, $count records per stream, events after id $last_event"
  if selected users; then
    i=1
    while [ "$i" -le "$count" ]; do
      printf '{"type":"RECORD","record":{"stream":"users","data":{"id":%d,"name":"User %d","email":"user%d@example.com","plan":"pro","address":{"street":"%d Main St","city":"Springfield"},"tags":["demo","n%d"],"created_at":"2024-01-%02d 10:00:00"},"emitted_at":1700000000000}}\n' "$i" "$i" "$i" "$i" "$i" "$i"
      i=$((i + 1))
    done
    printf '%s\n' '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"created_at":"2024-01-31 10:00:00"}}}}'
  fi
  if selected events; then
    i=$((last_event + 1))
    end=$((last_event + count))
    while [ "$i" -le "$end" ]; do
      printf '{"type":"RECORD","record":{"stream":"events","data":{"id":%d,"user_id":%d,"kind":"page_view","occurred_at":%d,"payload":{"path":"/page/%d","duration_ms":12.5}},"emitted_at":1700000000000}}\n' "$i" "$(( (i % 3) + 1 ))" "$((1706781600 + i * 60))" "$i"
      i=$((i + 1))
    done
    printf '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"events"},"stream_state":{"last_id":%d}}}}\n' "$end"
  fi
  if selected daily_stats; then
    printf '%s\n' '{"type":"RECORD","record":{"stream":"daily_stats","namespace":"reporting","data":{"day":"2024-02-01","signups":12,"revenue":1234.5},"emitted_at":1700000000000}}'
    printf '%s\n' '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"daily_stats","namespace":"reporting"},"stream_state":{"day":"2024-02-01"}}}}'
  fi
  ;;
*)
  echo "source-demo: unknown command '$cmd' (expected spec, check, discover or read)" >&2
  exit 2
  ;;
esac
