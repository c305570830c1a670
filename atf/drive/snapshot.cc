// `drive snapshot` (write and --check) and `drive compat` (snapshot.h, compat.h).
#include "atf/drive/snapshot.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/drive/commands.h"
#include "atf/drive/compat.h"
#include "atf/drive/exchange.h"
#include "atf/drive/files.h"
#include "atf/drive/json_util.h"
#include "atf/drive/requests.h"
#include "patches/pointer.h"

namespace atf::drive {
namespace {

using Value = rapidjson::Value;

constexpr char kSpecFile[] = "spec.json";
constexpr char kDiscoverFile[] = "discover.json";
constexpr char kCaptureSnapshotFile[] = "capture.json";
constexpr char kSettingsFile[] = "snapshot.json";

// How a snapshot is taken; stored in DIR/snapshot.json so that --check
// repeats it (the config by path only: its secrets stay out of DIR).
struct SnapshotSettings {
  std::string config;
  std::vector<std::string> masks;
  std::vector<std::string> state_masks;
  bool capture = true;
  absl::Duration duration = absl::InfiniteDuration();
  uint64_t documents = 0;
};

struct Snapshot {
  rapidjson::Document spec;
  rapidjson::Document discover;
  rapidjson::Document capture;  // null without a capture
};

std::string AbsolutePath(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) ? std::string(resolved) : path;
}

absl::Status CheckMasks(const std::vector<std::string>& masks, absl::string_view flag) {
  for (const std::string& mask : masks) {
    if (!absl::StartsWith(mask, "/")) {
      return WithExitCode(
          absl::InvalidArgumentError(absl::StrCat(flag, " `", mask, "` is not a JSON pointer such as /updated_at")), 2);
    }
  }
  return absl::OkStatus();
}

// The discovered object with bindings sorted by recommendedName.
rapidjson::Document SortedDiscover(const capture::Response& response) {
  rapidjson::Document doc;
  const std::string body = ResponseBodyJson(response);
  doc.Parse(body.data(), body.size());  // sized: RapidJSON's SSE2 scan of a C string reads past it
  auto found = doc.IsObject() ? doc.FindMember("bindings") : doc.MemberEnd();
  if (doc.IsObject() && found != doc.MemberEnd() && found->value.IsArray()) {
    Value* bindings = &found->value;
    std::stable_sort(bindings->Begin(), bindings->End(), [](const Value& a, const Value& b) {
      const Value* x = FindMember(a, "recommendedName");
      const Value* y = FindMember(b, "recommendedName");
      return x && y && x->IsString() && y->IsString() && ViewOf(*x) < ViewOf(*y);
    });
  }
  return doc;
}

absl::StatusOr<rapidjson::Document> CaptureSnapshot(const DriveContext& ctx, const Catalog& catalog,
                                                    const SnapshotSettings& settings) {
  ATF_ASSIGN_OR_RETURN(flow::CaptureSpec spec, ValidateAndBuild(ctx, catalog));
  CaptureSettings capture = SettingsFrom(ctx.options);
  capture.sessions = 1;
  capture.duration = settings.duration;
  capture.documents = settings.documents;
  capture.print_documents = false;
  capture.print_state = false;
  capture.collect_documents = true;
  ATF_ASSIGN_OR_RETURN(CaptureResult result,
                       RunCaptureSessions(ctx.transport, spec, "{}", capture, ctx.console, ctx.stop, nullptr));
  if (result.interrupted) {
    return WithExitCode(absl::CancelledError(absl::StrCat("interrupted (", ctx.stop.Describe(), ")")), 130);
  }
  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  Value collections(rapidjson::kObjectType);
  const std::vector<size_t> enabled = EnabledBindings(catalog);
  for (size_t i = 0; i < enabled.size(); ++i) {
    const CatalogBinding& binding = catalog.bindings[enabled[i]];
    struct Entry {
      Value key;         // the key's values, as an array
      std::string text;  // the document with sorted keys, to order equal keys
      Value doc;
    };
    std::vector<Entry> docs;
    for (const std::string& text : result.collections[i].collected) {
      rapidjson::Document doc(&alloc);
      doc.Parse(text.data(), text.size());
      if (doc.HasParseError()) doc.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc);
      for (const std::string& mask : settings.masks) ApplyMask(doc, mask, alloc);
      Value key(rapidjson::kArrayType);
      for (const std::string& pointer : binding.key) {
        const Value* value = QueryPointer(doc, pointer);
        key.PushBack(value ? Value(*value, alloc) : Value(), alloc);
      }
      docs.push_back(Entry{std::move(key), WriteJson(SortedCopy(doc, alloc)), Value(doc, alloc)});
    }
    std::stable_sort(docs.begin(), docs.end(), [](const Entry& a, const Entry& b) {
      if (int c = CompareJson(a.key, b.key); c != 0) return c < 0;
      return a.text < b.text;
    });
    Value list(rapidjson::kArrayType);
    for (Entry& entry : docs) list.PushBack(entry.doc, alloc);
    collections.AddMember(StringValue(binding.recommended_name, alloc), list, alloc);
  }
  out.AddMember("collections", collections, alloc);
  rapidjson::Document state(&alloc);
  state.Parse(result.state_json.data(), result.state_json.size());
  for (const std::string& mask : settings.state_masks) ApplyMask(state, mask, alloc);
  out.AddMember("state", Value(state, alloc), alloc);
  return out;
}

absl::StatusOr<Snapshot> TakeSnapshot(const DriveContext& ctx, const SnapshotSettings& settings) {
  ATF_ASSIGN_OR_RETURN(std::string config, ReadConfig(settings.config, "--config"));
  ATF_ASSIGN_OR_RETURN(capture::Response spec, FetchSpec(ctx, config));
  const CatalogNames names = NamesFor(ctx.options.connector_dir, ctx.options.prefix, "");
  Catalog request;
  request.capture_name = names.capture_name;
  request.config_json = config;
  ATF_ASSIGN_OR_RETURN(capture::Response discovered, FetchDiscovered(ctx, request));
  Snapshot snapshot;
  const std::string spec_body = ResponseBodyJson(spec);
  snapshot.spec.Parse(spec_body.data(), spec_body.size());
  snapshot.discover = SortedDiscover(discovered);
  if (!settings.capture) return snapshot;
  const Catalog catalog = CatalogFromDiscovered(discovered.discovered(), names, config);
  if (EnabledBindings(catalog).empty()) {
    ctx.console.Err("note: every discovered binding is disabled: no capture in the snapshot");
    return snapshot;
  }
  ATF_ASSIGN_OR_RETURN(snapshot.capture, CaptureSnapshot(ctx, catalog, settings));
  return snapshot;
}

std::string SettingsJson(const SnapshotSettings& s) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  doc.AddMember("config", StringValue(s.config, alloc), alloc);
  for (const auto& [name, list] : {std::pair{"mask", &s.masks}, std::pair{"maskState", &s.state_masks}}) {
    Value array(rapidjson::kArrayType);
    for (const std::string& mask : *list) array.PushBack(StringValue(mask, alloc), alloc);
    doc.AddMember(rapidjson::StringRef(name), array, alloc);
  }
  doc.AddMember("capture", s.capture, alloc);
  if (s.duration != absl::InfiniteDuration()) {
    doc.AddMember("duration", StringValue(absl::FormatDuration(s.duration), alloc), alloc);
  }
  if (s.documents != 0) doc.AddMember("documents", s.documents, alloc);
  return PrettySortedJson(doc);
}

// The settings of --check: the flags where given, else those DIR/snapshot.json recorded.
absl::StatusOr<SnapshotSettings> CheckSettings(const DriveOptions& o) {
  SnapshotSettings s;
  const std::string path = JoinPath(o.snapshot_dir, kSettingsFile);
  if (PathExists(path)) {
    ATF_ASSIGN_OR_RETURN(rapidjson::Document recorded, ReadJsonFile(path));
    if (const Value* config = FindMember(recorded, "config"); config && config->IsString()) {
      s.config = std::string(ViewOf(*config));
    }
    for (const auto& [name, list] : {std::pair{"mask", &s.masks}, std::pair{"maskState", &s.state_masks}}) {
      if (const Value* array = FindMember(recorded, name); array && array->IsArray()) {
        for (const Value& mask : array->GetArray()) {
          if (mask.IsString()) list->emplace_back(ViewOf(mask));
        }
      }
    }
    if (const Value* duration = FindMember(recorded, "duration"); duration && duration->IsString()) {
      if (!absl::ParseDuration(std::string(ViewOf(*duration)), &s.duration)) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": `duration` is not a duration"));
      }
    }
    if (const Value* documents = FindMember(recorded, "documents"); documents && documents->IsUint64()) {
      s.documents = documents->GetUint64();
    }
  }
  if (!o.config.empty()) s.config = o.config;
  if (!o.masks.empty()) s.masks = o.masks;
  if (!o.state_masks.empty()) s.state_masks = o.state_masks;
  if (o.duration != absl::InfiniteDuration()) s.duration = o.duration;
  if (o.documents != 0) s.documents = o.documents;
  s.capture = !o.no_capture && PathExists(JoinPath(o.snapshot_dir, kCaptureSnapshotFile));
  if (s.config.empty()) {
    return WithExitCode(absl::InvalidArgumentError(absl::StrCat("snapshot --check ", o.snapshot_dir,
                                                                ": no --config, and ", path, " names no config")),
                        2);
  }
  return s;
}

absl::Status WriteSnapshot(const DriveContext& ctx) {
  const DriveOptions& o = ctx.options;
  SnapshotSettings settings{AbsolutePath(o.config), o.masks, o.state_masks, !o.no_capture, o.duration, o.documents};
  ATF_ASSIGN_OR_RETURN(Snapshot snapshot, TakeSnapshot(ctx, settings));
  ATF_RETURN_IF_ERROR(MakeDirectories(o.snapshot_dir));
  ATF_RETURN_IF_ERROR(WriteTextFile(JoinPath(o.snapshot_dir, kSpecFile), PrettySortedJson(snapshot.spec)));
  ATF_RETURN_IF_ERROR(WriteTextFile(JoinPath(o.snapshot_dir, kDiscoverFile), PrettySortedJson(snapshot.discover)));
  const std::string capture_path = JoinPath(o.snapshot_dir, kCaptureSnapshotFile);
  if (snapshot.capture.IsObject()) {
    ATF_RETURN_IF_ERROR(WriteTextFile(capture_path, PrettySortedJson(snapshot.capture)));
  } else if (PathExists(capture_path)) {
    ::unlink(capture_path.c_str());  // a stale capture would be compared by --check
  }
  settings.capture = snapshot.capture.IsObject();
  ATF_RETURN_IF_ERROR(WriteTextFile(JoinPath(o.snapshot_dir, kSettingsFile), SettingsJson(settings)));
  ctx.console.Err(absl::StrCat("wrote the snapshot ", o.snapshot_dir, " (", kSpecFile, ", ", kDiscoverFile,
                               settings.capture ? absl::StrCat(", ", kCaptureSnapshotFile) : "", ", ", kSettingsFile,
                               "); compare later with: airbyte-to-flow drive snapshot --check ", o.snapshot_dir,
                               " ..."));
  return absl::OkStatus();
}

absl::Status CheckSnapshot(const DriveContext& ctx) {
  const DriveOptions& o = ctx.options;
  ATF_ASSIGN_OR_RETURN(SnapshotSettings settings, CheckSettings(o));
  ATF_ASSIGN_OR_RETURN(rapidjson::Document old_spec, ReadJsonFile(JoinPath(o.snapshot_dir, kSpecFile)));
  ATF_ASSIGN_OR_RETURN(rapidjson::Document old_discover, ReadJsonFile(JoinPath(o.snapshot_dir, kDiscoverFile)));
  rapidjson::Document old_capture;
  if (settings.capture) {
    ATF_ASSIGN_OR_RETURN(old_capture, ReadJsonFile(JoinPath(o.snapshot_dir, kCaptureSnapshotFile)));
  }
  ATF_ASSIGN_OR_RETURN(Snapshot now, TakeSnapshot(ctx, settings));

  std::vector<std::string> lines;
  size_t breaking = 0;
  if (o.compat) {
    std::vector<CompatFinding> findings = ClassifySpec(old_spec, now.spec);
    std::vector<CompatFinding> discover = ClassifyDiscover(old_discover, now.discover);
    findings.insert(findings.end(), discover.begin(), discover.end());
    for (const CompatFinding& finding : findings) {
      breaking += finding.breaking ? 1 : 0;
      lines.push_back(FormatFinding(finding));
    }
  } else {
    for (std::vector<std::string> part : {DiffSpec(old_spec, now.spec), DiffDiscover(old_discover, now.discover)}) {
      lines.insert(lines.end(), part.begin(), part.end());
    }
  }
  const size_t schema_lines = lines.size();
  if (settings.capture) {
    static const Value kEmpty(rapidjson::kObjectType);
    const Value& now_capture = now.capture.IsObject() ? static_cast<const Value&>(now.capture) : kEmpty;
    for (const std::string& line : DiffCapture(old_capture, now_capture, now.discover)) lines.push_back(line);
  }
  std::string text;
  for (const std::string& line : lines) absl::StrAppend(&text, line, "\n");
  if (lines.empty()) text = "no differences\n";
  ATF_RETURN_IF_ERROR(ctx.console.Out(text));
  ATF_RETURN_IF_ERROR(ctx.console.Flush());
  if (o.compat) {
    if (breaking > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          breaking, " of ", schema_lines, " Spec/Discover differences are breaking (", o.snapshot_dir, ")"));
    }
    ctx.console.Err(absl::StrCat("no breaking Spec/Discover difference (", schema_lines, " compatible, ",
                                 lines.size() - schema_lines, " capture differences)"));
    return absl::OkStatus();
  }
  if (!lines.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the connector differs from the snapshot ", o.snapshot_dir, ": ", lines.size(), " differences"));
  }
  ctx.console.Err(absl::StrCat("the connector matches the snapshot ", o.snapshot_dir));
  return absl::OkStatus();
}

}  // namespace

absl::Status RunSnapshot(const DriveContext& ctx) {
  ATF_RETURN_IF_ERROR(CheckMasks(ctx.options.masks, "--mask"));
  ATF_RETURN_IF_ERROR(CheckMasks(ctx.options.state_masks, "--mask-state"));
  return ctx.options.check ? CheckSnapshot(ctx) : WriteSnapshot(ctx);
}

absl::Status RunCompat(const DriveOptions& options, Console& console) {
  absl::StatusOr<std::vector<CompatFinding>> findings = ClassifySnapshots(options.old_dir, options.new_dir);
  // 2: nothing could be compared; 1 is kept for "breaking".
  if (!findings.ok()) return WithExitCode(findings.status(), 2);
  std::string text;
  size_t breaking = 0;
  for (const CompatFinding& finding : *findings) {
    breaking += finding.breaking ? 1 : 0;
    absl::StrAppend(&text, FormatFinding(finding), "\n");
  }
  if (findings->empty()) text = "no differences\n";
  ATF_RETURN_IF_ERROR(console.Out(text));
  ATF_RETURN_IF_ERROR(console.Flush());
  if (breaking > 0) {
    return WithExitCode(
        absl::FailedPreconditionError(absl::StrCat(breaking, " of ", findings->size(), " differences are breaking")),
        1);
  }
  return absl::OkStatus();
}

}  // namespace atf::drive
