// Flow catalog files in Flow's own model, which `drive discover --write DIR`
// writes and `validate`/`capture --from DIR` read (JSON syntax, so also
// valid YAML for flowctl):
//
//   DIR/flow.json              {"import": ["capture.flow.json", "collections.flow.json"]}
//   DIR/capture.flow.json      {"captures": {NAME: {"endpoint": {"connector": {"image": IMAGE,
//                                "config": "config.json"}}, "bindings": [{"resource": {...},
//                                "target": COLLECTION, "disable"?: true, "backfill"?: N}]}}}
//   DIR/collections.flow.json  {"collections": {COLLECTION: {"schema": {...}, "key": [...]}}}
//   DIR/config.json            the endpoint config
//   DIR/state.json             the state after the last capture session
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "capture.pb.h"

namespace atf::drive {

inline constexpr char kFlowFile[] = "flow.json";
inline constexpr char kCaptureFile[] = "capture.flow.json";
inline constexpr char kCollectionsFile[] = "collections.flow.json";
inline constexpr char kConfigFile[] = "config.json";
inline constexpr char kStateFile[] = "state.json";

struct CatalogBinding {
  std::string recommended_name;  // the discovered name; the target's suffix when read back
  std::string resource_json;     // the resource config
  std::string target;            // the collection's name
  bool disable = false;
  uint32_t backfill = 0;
  std::string schema_json;  // the collection's schema
  std::vector<std::string> key;
};

struct Catalog {
  std::string capture_name;
  std::string image;
  std::string config_json;  // the endpoint config itself
  std::vector<CatalogBinding> bindings;
};

// Names of a catalog made from a connector folder: the capture is
// PREFIX/<folder>, collections PREFIX/<recommendedName> (as Flow's UI names
// them); PREFIX defaults to acmeCo/<folder>.
struct CatalogNames {
  std::string prefix;
  std::string capture_name;
  std::string image;
};
CatalogNames NamesFor(const std::string& connector_dir, const std::string& prefix, const std::string& image);

// A catalog with one binding per discovered binding, in the connector's order.
Catalog CatalogFromDiscovered(const capture::Response::Discovered& discovered, const CatalogNames& names,
                              std::string config_json);

// Writes flow.json, capture.flow.json, collections.flow.json and config.json.
absl::Status WriteCatalog(const Catalog& catalog, const std::string& dir);

// Reads what WriteCatalog wrote (or a user's edit of it): the one capture of
// capture.flow.json, its config (a file name relative to DIR, or inline), and
// each binding's collection from collections.flow.json (`schema`, else
// `writeSchema`).
absl::StatusOr<Catalog> ReadCatalog(const std::string& dir);

}  // namespace atf::drive
