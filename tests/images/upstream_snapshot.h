// A connector folder's recorded snapshot of its pinned upstream connector
// (upstream/spec.json: the Airbyte SPEC payload; upstream/streams.json: the
// streams with their keys, sync modes, cursors and, where recorded, schemas),
// the connector that replays it to the shim, and the checks that every patch
// file names things the snapshot has.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "patches/connector_dir.h"
#include "rapidjson/document.h"

namespace atf::images {

// The snapshot's folder inside a connector folder.
extern const char kUpstreamDir[];

struct Snapshot {
  std::string dir;              // where spec.json and streams.json were read
  rapidjson::Document spec;     // the SPEC payload: {connectionSpecification, documentationUrl?, ...}
  rapidjson::Document streams;  // {source, complete, streams: [...]}
};

// Reads and checks DIR/spec.json and DIR/streams.json, appending problems
// that name the file, the stream and the field.
std::optional<Snapshot> LoadSnapshot(const std::string& dir, std::vector<std::string>& problems);

// The CATALOG payload the snapshot replays (a stream without a recorded
// json_schema gets {"type": "object"}).
rapidjson::Document CatalogOf(const Snapshot& snapshot);

// Writes the replay connector (a POSIX sh script answering `spec`, `check`
// and `discover` with the snapshot) into `scratch`; returns its path, or ""
// with `error` set.
std::string WriteReplayConnector(const Snapshot& snapshot, const std::string& scratch, std::string& error);

// Every patch file of `folder` against the snapshot and the shim's own Spec
// and Discover responses over it: streams, fields and pointers the snapshot
// lacks, keys at objects or arrays, normalizations that match nothing.
void CheckPatchNames(const Snapshot& snapshot, const ConnectorDir& folder, const rapidjson::Value& discovered,
                     std::vector<std::string>& problems, std::vector<std::string>& shown);

// Flow's UI offers OAuth sign-in only on a config-schema object carrying
// `x-oauth2-provider`: oauth2.patch.json's provider and the patched schema's
// marks must agree, and a marked oneOf option needs the discriminator the UI
// selects it by and the fields the sign-in fills.
void CheckOAuthMarks(const ConnectorDir& folder, const rapidjson::Value& config_schema,
                     std::vector<std::string>& problems, std::vector<std::string>& shown);

}  // namespace atf::images
