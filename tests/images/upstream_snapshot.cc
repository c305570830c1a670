#include "tests/images/upstream_snapshot.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "atf/base/json.h"
#include "interceptors/discover.h"
#include "patches/pointer.h"

namespace atf::images {

const char kUpstreamDir[] = "upstream";

namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool WriteFile(const std::string& path, absl::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

std::optional<rapidjson::Document> ReadJsonFile(const std::string& path, std::vector<std::string>& problems) {
  std::optional<std::string> text = ReadFile(path);
  if (!text) {
    problems.push_back(
        absl::StrCat(path, ": missing (record the pinned upstream's snapshot; see connectors/README.md)"));
    return std::nullopt;
  }
  absl::StatusOr<rapidjson::Document> doc = ParseJson(*text, path);
  if (!doc.ok()) {
    problems.emplace_back(doc.status().message());
    return std::nullopt;
  }
  if (!doc->IsObject()) {
    problems.push_back(absl::StrCat(path, ": must be a JSON object, got ", JsonTypeName(*doc)));
    return std::nullopt;
  }
  return std::move(*doc);
}

const rapidjson::Value& EmptyArray() {
  static const auto* empty = new rapidjson::Value(rapidjson::kArrayType);
  return *empty;
}

bool IsStringList(const rapidjson::Value& value) {
  if (!value.IsArray()) return false;
  for (const rapidjson::Value& element : value.GetArray()) {
    if (!element.IsString()) return false;
  }
  return true;
}

// The stream entries' shape: names unique, the fields the shim reads typed.
void CheckStreamEntries(const std::string& path, const rapidjson::Value& streams, std::vector<std::string>& problems) {
  std::set<std::string> names;
  for (rapidjson::SizeType i = 0; i < streams.Size(); ++i) {
    const rapidjson::Value& stream = streams[i];
    const std::string where = absl::StrCat(path, ": streams[", i, "]");
    if (!stream.IsObject()) {
      problems.push_back(absl::StrCat(where, ": must be an object"));
      continue;
    }
    const rapidjson::Value* name = FindMember(stream, "name");
    if (name == nullptr || !name->IsString() || name->GetStringLength() == 0) {
      problems.push_back(absl::StrCat(where, ": `name` must be a non-empty string"));
      continue;
    }
    const std::string label = absl::StrCat(path, ": stream `", ViewOf(*name), "`");
    if (!names.insert(std::string(ViewOf(*name))).second) problems.push_back(absl::StrCat(label, ": recorded twice"));
    const rapidjson::Value* modes = FindMember(stream, "supported_sync_modes");
    if (modes == nullptr || !IsStringList(*modes) || modes->Empty()) {
      problems.push_back(absl::StrCat(label, ": `supported_sync_modes` must be a non-empty array of strings"));
    }
    if (const rapidjson::Value* key = FindMember(stream, "source_defined_primary_key"); key != nullptr) {
      bool ok = key->IsArray();
      for (const rapidjson::Value& path_value : (ok ? *key : EmptyArray()).GetArray()) {
        ok = ok && IsStringList(path_value) && !path_value.Empty();
      }
      if (!ok) {
        problems.push_back(
            absl::StrCat(label, ": `source_defined_primary_key` must be an array of field paths ([[\"id\"]])"));
      }
    }
    if (const rapidjson::Value* cursor = FindMember(stream, "default_cursor_field");
        cursor != nullptr && !IsStringList(*cursor)) {
      problems.push_back(absl::StrCat(label, ": `default_cursor_field` must be an array of strings"));
    }
    if (const rapidjson::Value* schema = FindMember(stream, "json_schema"); schema != nullptr && !schema->IsObject()) {
      problems.push_back(absl::StrCat(label, ": `json_schema` must be an object"));
    }
  }
}

std::string ShellQuote(absl::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

// ---- schema walking ----------------------------------------------------------

bool HasType(const rapidjson::Value& node, absl::string_view type) {
  const rapidjson::Value* types = FindMember(node, "type");
  if (types == nullptr) return false;
  if (types->IsString()) return ViewOf(*types) == type;
  if (types->IsArray()) {
    for (const rapidjson::Value& t : types->GetArray()) {
      if (t.IsString() && ViewOf(t) == type) return true;
    }
  }
  return false;
}

// The schema node of the field at `pointer` (following `properties`), or null.
const rapidjson::Value* FieldSchema(const rapidjson::Value& schema, absl::string_view pointer) {
  const rapidjson::Value* node = &schema;
  for (const std::string& token : PointerTokens(pointer)) {
    const rapidjson::Value* properties = node->IsObject() ? FindMember(*node, "properties") : nullptr;
    const rapidjson::Value* next =
        properties != nullptr && properties->IsObject() ? FindMember(*properties, token) : nullptr;
    if (next == nullptr) return nullptr;
    node = next;
  }
  return node;
}

// Every `format: date` node anywhere in `schema`.
int CountDateFormats(const rapidjson::Value& schema) {
  int count = 0;
  if (schema.IsObject()) {
    if (const rapidjson::Value* format = FindMember(schema, "format");
        format != nullptr && format->IsString() && ViewOf(*format) == "date") {
      ++count;
    }
    for (const auto& member : schema.GetObject()) count += CountDateFormats(member.value);
  } else if (schema.IsArray()) {
    for (const rapidjson::Value& element : schema.GetArray()) count += CountDateFormats(element);
  }
  return count;
}

// The names a merge patch gives under `properties` must be fields of
// `upstream` (the schema it patches), unless the patch adds a property with
// its own `type`; a restated oneOf/anyOf keeps every option and every field.
void CheckMergePatchNames(const rapidjson::Value& patch, const rapidjson::Value& upstream, const std::string& pointer,
                          absl::string_view file, absl::string_view upstream_name, std::vector<std::string>& problems) {
  if (!patch.IsObject() || !upstream.IsObject()) return;
  for (const auto& member : patch.GetObject()) {
    const absl::string_view key = ViewOf(member.name);
    const rapidjson::Value& value = member.value;
    const std::string here = absl::StrCat(pointer, "/", EscapePointerToken(key));
    const rapidjson::Value* theirs = FindMember(upstream, key);
    if (key == "properties" && value.IsObject()) {
      for (const auto& property : value.GetObject()) {
        const std::string at = absl::StrCat(here, "/", EscapePointerToken(ViewOf(property.name)));
        const rapidjson::Value* field =
            theirs != nullptr && theirs->IsObject() ? FindMember(*theirs, ViewOf(property.name)) : nullptr;
        if (field != nullptr) {
          CheckMergePatchNames(property.value, *field, at, file, upstream_name, problems);
        } else if (property.value.IsNull()) {
          problems.push_back(absl::StrCat(file, ": removes ", at, ", which ", upstream_name, " does not have"));
        } else if (!property.value.IsObject() || FindMember(property.value, "type") == nullptr) {
          problems.push_back(absl::StrCat(file, ": patches ", at, ", which ", upstream_name,
                                          " does not have (to add a field, give its `type`)"));
        }
      }
    } else if ((key == "oneOf" || key == "anyOf") && value.IsArray() && theirs != nullptr && theirs->IsArray()) {
      // A merge patch replaces an array whole: the restatement must keep upstream's options.
      if (value.Size() != theirs->Size()) {
        problems.push_back(absl::StrCat(file, ": restates ", here, " with ", value.Size(), " options, but ",
                                        upstream_name, " has ", theirs->Size()));
        continue;
      }
      for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
        const rapidjson::Value* ours = value[i].IsObject() ? FindMember(value[i], "properties") : nullptr;
        const rapidjson::Value* upstream_properties =
            (*theirs)[i].IsObject() ? FindMember((*theirs)[i], "properties") : nullptr;
        if (upstream_properties == nullptr || !upstream_properties->IsObject()) continue;
        for (const auto& field : upstream_properties->GetObject()) {
          if (ours == nullptr || !ours->IsObject() || FindMember(*ours, ViewOf(field.name)) == nullptr) {
            problems.push_back(absl::StrCat(file, ": restates ", here, "/", i, " without its field `",
                                            ViewOf(field.name), "` (", upstream_name, " has it)"));
          }
        }
      }
    } else if (value.IsObject() && theirs != nullptr && theirs->IsObject()) {
      CheckMergePatchNames(value, *theirs, here, file, upstream_name, problems);
    }
  }
}

// Names of `streams` that contain `name` (for "did you mean").
std::string Suggestions(const std::vector<std::string>& names, absl::string_view name) {
  std::vector<std::string> close;
  for (const std::string& candidate : names) {
    if (absl::StrContains(candidate, name) || absl::StrContains(name, candidate)) close.push_back(candidate);
  }
  if (close.empty()) return absl::StrCat(" (it records ", names.size(), " streams)");
  return absl::StrCat(" (did you mean ", absl::StrJoin(close, ", "), "?)");
}

struct SnapshotStream {
  std::string name;
  const rapidjson::Value* json = nullptr;
  const rapidjson::Value* schema = nullptr;  // null when not recorded
};

// Every x-oauth2-provider mark of `node`: its pointer and value.
void FindOAuthMarks(const rapidjson::Value& node, const std::string& pointer,
                    std::vector<std::pair<std::string, const rapidjson::Value*>>& marks) {
  if (node.IsObject()) {
    if (const rapidjson::Value* mark = FindMember(node, "x-oauth2-provider"); mark != nullptr) {
      marks.emplace_back(pointer, &node);
    }
    for (const auto& member : node.GetObject()) {
      FindOAuthMarks(member.value, absl::StrCat(pointer, "/", EscapePointerToken(ViewOf(member.name))), marks);
    }
  } else if (node.IsArray()) {
    for (rapidjson::SizeType i = 0; i < node.Size(); ++i) FindOAuthMarks(node[i], absl::StrCat(pointer, "/", i), marks);
  }
}

}  // namespace

std::optional<Snapshot> LoadSnapshot(const std::string& dir, std::vector<std::string>& problems) {
  const size_t before = problems.size();
  const std::string spec_path = absl::StrCat(dir, "/spec.json");
  const std::string streams_path = absl::StrCat(dir, "/streams.json");
  std::optional<rapidjson::Document> spec = ReadJsonFile(spec_path, problems);
  std::optional<rapidjson::Document> streams = ReadJsonFile(streams_path, problems);
  if (spec) {
    const rapidjson::Value* connection = FindMember(*spec, "connectionSpecification");
    if (connection == nullptr || !connection->IsObject()) {
      problems.push_back(
          absl::StrCat(spec_path, ": must be the Airbyte SPEC payload, with a `connectionSpecification` object"));
    }
  }
  if (streams) {
    const rapidjson::Value* source = FindMember(*streams, "source");
    if (source == nullptr || !source->IsString() || source->GetStringLength() == 0) {
      problems.push_back(absl::StrCat(streams_path, ": `source` must say where the snapshot was taken from"));
    }
    const rapidjson::Value* complete = FindMember(*streams, "complete");
    if (complete == nullptr || !complete->IsBool()) {
      problems.push_back(
          absl::StrCat(streams_path, ": `complete` must be true (every upstream stream is recorded) or false"));
    }
    const rapidjson::Value* list = FindMember(*streams, "streams");
    if (list == nullptr || !list->IsArray()) {
      problems.push_back(absl::StrCat(streams_path, ": `streams` must be an array"));
    } else {
      CheckStreamEntries(streams_path, *list, problems);
    }
  }
  if (problems.size() != before || !spec || !streams) return std::nullopt;
  return Snapshot{dir, std::move(*spec), std::move(*streams)};
}

rapidjson::Document CatalogOf(const Snapshot& snapshot) {
  rapidjson::Document catalog(rapidjson::kObjectType);
  auto& allocator = catalog.GetAllocator();
  rapidjson::Value streams(rapidjson::kArrayType);
  for (const rapidjson::Value& recorded : FindMember(snapshot.streams, "streams")->GetArray()) {
    rapidjson::Value stream(rapidjson::kObjectType);
    for (const char* field : {"name", "namespace", "json_schema", "supported_sync_modes", "source_defined_cursor",
                              "default_cursor_field", "source_defined_primary_key"}) {
      if (const rapidjson::Value* value = FindMember(recorded, field); value != nullptr) {
        stream.AddMember(rapidjson::StringRef(field), rapidjson::Value(*value, allocator), allocator);
      }
    }
    if (FindMember(stream, "json_schema") == nullptr) {
      rapidjson::Value schema(rapidjson::kObjectType);
      schema.AddMember("type", "object", allocator);
      stream.AddMember("json_schema", schema, allocator);
    }
    streams.PushBack(stream, allocator);
  }
  catalog.AddMember("streams", streams, allocator);
  return catalog;
}

std::string WriteReplayConnector(const Snapshot& snapshot, const std::string& scratch, std::string& error) {
  const std::string spec_message = absl::StrCat(R"({"type":"SPEC","spec":)", WriteJson(snapshot.spec), "}\n");
  const std::string catalog_message =
      absl::StrCat(R"({"type":"CATALOG","catalog":)", WriteJson(CatalogOf(snapshot)), "}\n");
  const std::string spec_file = scratch + "/replay-spec.jsonl";
  const std::string catalog_file = scratch + "/replay-catalog.jsonl";
  const std::string script = scratch + "/replay-connector.sh";
  const std::string text = absl::StrCat(
      "#!/bin/sh\n"
      "# Replays the recorded upstream snapshot ",
      snapshot.dir,
      " to the shim.\n"
      "case \"$1\" in\n"
      "  spec) cat ",
      ShellQuote(spec_file),
      " ;;\n"
      "  discover) cat ",
      ShellQuote(catalog_file),
      " ;;\n"
      "  check) echo '{\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":{\"status\":\"SUCCEEDED\"}}' ;;\n"
      "  *) echo \"replay connector: '$1' is not recorded in the snapshot\" >&2; exit 2 ;;\n"
      "esac\n");
  if (!WriteFile(spec_file, spec_message) || !WriteFile(catalog_file, catalog_message) || !WriteFile(script, text) ||
      ::chmod(script.c_str(), 0755) != 0) {
    error = absl::StrCat("cannot write the replay connector into ", scratch);
    return "";
  }
  return script;
}

void CheckPatchNames(const Snapshot& snapshot, const ConnectorDir& folder, const rapidjson::Value& discovered,
                     std::vector<std::string>& problems, std::vector<std::string>& shown) {
  const std::string streams_file = absl::StrCat(kUpstreamDir, "/streams.json");
  const std::string spec_file = absl::StrCat(kUpstreamDir, "/spec.json");
  std::vector<SnapshotStream> streams;
  std::map<std::string, size_t> by_name, by_recommended;
  std::vector<std::string> names;
  for (const rapidjson::Value& stream : FindMember(snapshot.streams, "streams")->GetArray()) {
    SnapshotStream entry{std::string(ViewOf(*FindMember(stream, "name"))), &stream, FindMember(stream, "json_schema")};
    by_name[entry.name] = streams.size();
    by_recommended[RecommendedName(entry.name)] = streams.size();
    names.push_back(entry.name);
    streams.push_back(entry);
  }
  auto stream_named = [&](const std::map<std::string, size_t>& index, absl::string_view name) -> const SnapshotStream* {
    auto it = index.find(std::string(name));
    return it == index.end() ? nullptr : &streams[it->second];
  };

  // spec.patch.json: every field it patches is in the upstream config schema.
  if (absl::StatusOr<std::optional<rapidjson::Document>> patch = folder.SpecPatch(); patch.ok() && patch->has_value()) {
    CheckMergePatchNames(**patch, *FindMember(snapshot.spec, "connectionSpecification"), "",
                         folder.PathOf("spec.patch.json"), spec_file, problems);
  }

  // selected_streams.json and omitted_streams.json name recorded streams.
  std::set<std::string> omitted;
  for (const char* file : {"selected_streams.json", "omitted_streams.json"}) {
    absl::StatusOr<std::optional<std::vector<std::string>>> list =
        absl::string_view(file) == "omitted_streams.json" ? folder.OmittedStreams() : folder.SelectedStreams();
    if (!list.ok() || !list->has_value()) continue;
    for (const std::string& name : **list) {
      if (absl::string_view(file) == "omitted_streams.json") omitted.insert(name);
      if (stream_named(by_name, name) == nullptr) {
        problems.push_back(absl::StrCat(folder.PathOf(file), ": names the stream `", name, "`, which ", streams_file,
                                        " does not have", Suggestions(names, name)));
      }
    }
  }

  // streams/<name>.*.json: a recorded stream, and the fields they name.
  std::error_code ec;
  const fs::path streams_dir = fs::path(folder.root()) / "streams";
  std::vector<std::string> stream_files;
  for (auto it = fs::directory_iterator(streams_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) stream_files.push_back(it->path().filename().string());
  }
  std::sort(stream_files.begin(), stream_files.end());
  for (const std::string& file : stream_files) {
    absl::string_view name = file;
    const std::string relative = "streams/" + file;
    const bool normalize = absl::ConsumeSuffix(&name, ".normalize.json");
    const bool patch = !normalize && absl::ConsumeSuffix(&name, ".patch.json");
    if (!normalize && !patch && !absl::ConsumeSuffix(&name, ".pk.json")) continue;  // the image check names it
    if (name == "*") continue;
    const SnapshotStream* stream = normalize ? stream_named(by_name, name) : stream_named(by_recommended, name);
    if (stream == nullptr) {
      problems.push_back(absl::StrCat(folder.PathOf(relative), ": names the stream `", name, "`, which ", streams_file,
                                      " does not have", Suggestions(names, name)));
      continue;
    }
    if (stream->schema == nullptr) {
      problems.push_back(absl::StrCat(folder.PathOf(relative), ": ", streams_file, " records no json_schema for `",
                                      stream->name, "`, so the fields this file names cannot be checked: record it"));
      continue;
    }
    if (patch) {
      if (absl::StatusOr<std::optional<rapidjson::Document>> doc = folder.ReadJson(relative);
          doc.ok() && doc->has_value()) {
        CheckMergePatchNames(**doc, *stream->schema, "", folder.PathOf(relative),
                             absl::StrCat(streams_file, " (stream `", stream->name, "`)"), problems);
      }
    } else if (normalize) {
      absl::StatusOr<std::optional<std::vector<std::string>>> pointers = folder.StreamNormalizations(name);
      for (const std::string& pointer :
           pointers.ok() && pointers->has_value() ? **pointers : std::vector<std::string>{}) {
        if (FieldSchema(*stream->schema, pointer) == nullptr) {
          problems.push_back(absl::StrCat(folder.PathOf(relative), ": the pointer ", pointer,
                                          " matches no field of stream `", stream->name, "` in ", streams_file));
        }
      }
    }
  }

  // schema_normalizations.json: date-to-datetime must find a `format: date`.
  if (absl::StatusOr<std::optional<std::vector<std::string>>> list = folder.SchemaNormalizations();
      list.ok() && list->has_value() &&
      std::find((*list)->begin(), (*list)->end(), "date-to-datetime") != (*list)->end()) {
    int dates = 0;
    for (const SnapshotStream& stream : streams) {
      if (stream.schema != nullptr && !omitted.count(stream.name)) dates += CountDateFormats(*stream.schema);
    }
    if (dates == 0) {
      problems.push_back(absl::StrCat(folder.PathOf("schema_normalizations.json"),
                                      ": `date-to-datetime` matches no `format: date` location in any stream of ",
                                      streams_file, ": it changes nothing"));
    }
  }

  // The keys of the shim's bindings: fields of the schema, never an object or an array.
  int bindings = 0, fallback_keys = 0;
  const rapidjson::Value* list = FindMember(discovered, "bindings");
  for (const rapidjson::Value& binding : (list != nullptr && list->IsArray() ? *list : EmptyArray()).GetArray()) {
    ++bindings;
    const rapidjson::Value* recommended = FindMember(binding, "recommendedName");
    const rapidjson::Value* key = FindMember(binding, "key");
    const rapidjson::Value* schema = FindMember(binding, "documentSchema");
    if (recommended == nullptr || !recommended->IsString() || key == nullptr || !key->IsArray() || schema == nullptr) {
      continue;
    }
    const SnapshotStream* stream = stream_named(by_recommended, ViewOf(*recommended));
    if (stream == nullptr) continue;
    // The shim's own fallback key of a keyless stream is in the schema it writes.
    if (const rapidjson::Value* fallback = FindMember(binding, "isFallbackKey"); fallback && fallback->IsTrue()) {
      ++fallback_keys;
      continue;
    }
    absl::StatusOr<std::optional<ConnectorDir::StreamFile>> pk = folder.StreamKey(ViewOf(*recommended));
    const bool from_file = pk.ok() && pk->has_value();
    const std::string origin =
        from_file ? folder.PathOf((*pk)->relative_path) : absl::StrCat("the source-defined key in ", streams_file);
    if (stream->schema == nullptr) continue;  // a pk file for it is reported above
    for (const rapidjson::Value& pointer : key->GetArray()) {
      if (!pointer.IsString()) continue;
      const rapidjson::Value* field = FieldSchema(*schema, ViewOf(pointer));
      if (field == nullptr || FieldSchema(*stream->schema, ViewOf(pointer)) == nullptr) {
        problems.push_back(absl::StrCat("stream `", stream->name, "`: the key ", ViewOf(pointer), " (from ", origin,
                                        ") is not a field of its schema"));
      } else if (HasType(*field, "object") || HasType(*field, "array")) {
        problems.push_back(absl::StrCat("stream `", stream->name, "`: the key ", ViewOf(pointer), " (from ", origin,
                                        ") points at ", HasType(*field, "object") ? "an object" : "an array",
                                        "; a Flow key must be scalar fields (write streams/", ViewOf(*recommended),
                                        ".pk.json)"));
      }
    }
  }
  const rapidjson::Value* complete = FindMember(snapshot.streams, "complete");
  shown.push_back(absl::StrCat(
      "upstream snapshot: ", streams.size(), " streams", complete != nullptr && complete->IsTrue() ? "" : " (partial)",
      ", ", bindings, " bindings discovered",
      fallback_keys == 0
          ? ""
          : absl::StrCat(" (", fallback_keys, " with the fallback key ", "/_meta/row_id: no primary key upstream)")));
}

void CheckOAuthMarks(const ConnectorDir& folder, const rapidjson::Value& config_schema,
                     std::vector<std::string>& problems, std::vector<std::string>& shown) {
  std::vector<std::pair<std::string, const rapidjson::Value*>> marks;
  FindOAuthMarks(config_schema, "", marks);
  absl::StatusOr<std::optional<rapidjson::Document>> oauth2 = folder.ReadJson("oauth2.patch.json");
  const rapidjson::Value* provider =
      oauth2.ok() && oauth2->has_value() && (*oauth2)->IsObject() ? FindMember(**oauth2, "provider") : nullptr;
  if (provider == nullptr || !provider->IsString()) {
    for (const auto& [pointer, node] : marks) {
      problems.push_back(absl::StrCat("the config schema marks ", pointer,
                                      " with x-oauth2-provider, but the folder has no oauth2.patch.json naming a "
                                      "provider: Flow's sign-in would have nothing to run"));
    }
    return;
  }
  const std::string wanted(ViewOf(*provider));
  if (marks.empty()) {
    problems.push_back(absl::StrCat(folder.PathOf("oauth2.patch.json"), ": names the provider `", wanted,
                                    "`, but the patched config schema marks no object with x-oauth2-provider, so "
                                    "Flow's UI offers no sign-in (mark the OAuth option in spec.patch.json)"));
    return;
  }
  for (const auto& [pointer, node] : marks) {
    const rapidjson::Value& mark = *FindMember(*node, "x-oauth2-provider");
    if (!mark.IsString() || ViewOf(mark) != wanted) {
      problems.push_back(absl::StrCat("the config schema's ", pointer, " has x-oauth2-provider ", WriteJson(mark),
                                      ", but oauth2.patch.json names `", wanted, "`"));
      continue;
    }
    const rapidjson::Value* properties = FindMember(*node, "properties");
    const rapidjson::Value* required = FindMember(*node, "required");
    // The fields the sign-in fills: the token response map's keys.
    const rapidjson::Value* response_map = FindMember(**oauth2, "accessTokenResponseMap");
    if (response_map != nullptr && response_map->IsObject()) {
      for (const auto& field : response_map->GetObject()) {
        const absl::string_view name = ViewOf(field.name);
        if (properties == nullptr || !properties->IsObject() || FindMember(*properties, name) == nullptr) {
          problems.push_back(absl::StrCat("the config schema's ", pointer, " (x-oauth2-provider ", wanted,
                                          ") has no field `", name, "`, which the sign-in fills from ",
                                          "oauth2.patch.json's accessTokenResponseMap"));
        } else if (required == nullptr || !required->IsArray() ||
                   std::none_of(required->Begin(), required->End(),
                                [&](const rapidjson::Value& r) { return r.IsString() && ViewOf(r) == name; })) {
          problems.push_back(absl::StrCat("the config schema's ", pointer, " does not list `", name,
                                          "` in `required`: Flow's UI checks the sign-in by the required fields"));
        }
      }
    }
    // Inside a oneOf, the UI selects the option by its parent's discriminator.
    const size_t slash = pointer.rfind('/');
    absl::string_view parent_pointer = absl::string_view(pointer).substr(0, slash == std::string::npos ? 0 : slash);
    if (!absl::ConsumeSuffix(&parent_pointer, "/oneOf")) {
      shown.push_back(absl::StrCat("x-oauth2-provider ", wanted, " at ", pointer));
      continue;
    }
    const rapidjson::Value* parent = QueryPointer(config_schema, parent_pointer);
    const rapidjson::Value* discriminator = parent != nullptr ? FindMember(*parent, "discriminator") : nullptr;
    const rapidjson::Value* property_name =
        discriminator != nullptr && discriminator->IsObject() ? FindMember(*discriminator, "propertyName") : nullptr;
    if (property_name == nullptr || !property_name->IsString()) {
      problems.push_back(absl::StrCat("the config schema's ", parent_pointer,
                                      " has an OAuth option but no `discriminator: {propertyName: ...}`: Flow's UI "
                                      "cannot tell which option a config chose"));
      continue;
    }
    const rapidjson::Value* selector =
        properties != nullptr && properties->IsObject() ? FindMember(*properties, ViewOf(*property_name)) : nullptr;
    if (selector == nullptr || !selector->IsObject() ||
        (FindMember(*selector, "const") == nullptr && FindMember(*selector, "default") == nullptr)) {
      problems.push_back(absl::StrCat("the config schema's ", pointer, " has no `", ViewOf(*property_name),
                                      "` with a const or default: the UI sets the discriminator from it"));
      continue;
    }
    shown.push_back(
        absl::StrCat("x-oauth2-provider ", wanted, " at ", pointer, " (discriminator ", ViewOf(*property_name), ")"));
  }
}

}  // namespace atf::images
