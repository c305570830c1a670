#include "atf/drive/commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "atf/drive/config_stub.h"
#include "atf/drive/exchange.h"
#include "atf/drive/files.h"
#include "atf/drive/json_util.h"
#include "atf/drive/requests.h"

namespace atf::drive {
namespace {

absl::Status PrintJson(const DriveContext& ctx, absl::string_view json) {
  std::string text;
  if (ctx.options.pretty) {
    ATF_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(json, "response"));
    text = PrettyJson(doc);
  } else {
    text = absl::StrCat(json, "\n");
  }
  ATF_RETURN_IF_ERROR(ctx.console.Out(text));
  return ctx.console.Flush();
}

absl::StatusOr<Catalog> ReadCatalogFrom(const std::string& dir) {
  ATF_ASSIGN_OR_RETURN(Catalog catalog, ReadCatalog(dir));
  if (EnabledBindings(catalog).empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(JoinPath(dir, kCaptureFile), ": no enabled binding (every binding has \"disable\": true)"));
  }
  return catalog;
}

// Writes DIR/config.json from the config schema, for the user to fill in.
absl::Status WriteConfigStub(const DriveContext& ctx) {
  const std::string path = JoinPath(ctx.options.write_dir, kConfigFile);
  if (PathExists(path)) {
    return absl::AlreadyExistsError(
        absl::StrCat(path, " exists: discover with it (--config ", path, "), or remove it to get a new stub"));
  }
  ATF_ASSIGN_OR_RETURN(capture::Response spec, FetchSpec(ctx, "{}"));
  ATF_ASSIGN_OR_RETURN(rapidjson::Document schema, ParseJson(spec.spec().config_schema_json(), "the config schema"));
  ConfigStub stub = MakeConfigStub(schema);
  ATF_RETURN_IF_ERROR(MakeDirectories(ctx.options.write_dir));
  ATF_RETURN_IF_ERROR(WriteTextFile(path, stub.json));
  ctx.console.Err(
      absl::StrCat("no --config: wrote ", path, ", a config stub made from the connector's config schema. Fill in:"));
  for (const std::string& note : stub.notes) ctx.console.Err(absl::StrCat("  ", note));
  ctx.console.Err(absl::StrCat("then run: airbyte-to-flow drive discover --config ", path, " --write ",
                               ctx.options.write_dir, " ..."));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReadConfig(const std::string& path, absl::string_view flag) {
  absl::StatusOr<rapidjson::Document> config = ReadJsonFile(path);
  if (!config.ok()) return Annotate(config.status(), flag);
  if (!config->IsObject()) return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, ": not a JSON object"));
  return WriteJson(*config);
}

absl::StatusOr<capture::Response> FetchSpec(const DriveContext& ctx, const std::string& config_json) {
  capture::Request request;
  request.mutable_spec()->set_connector_type(flow::CaptureSpec::IMAGE);
  request.mutable_spec()->set_config_json(config_json);
  absl::StatusOr<capture::Response> response = RunUnary(ctx.transport, request, "spec", ctx.options.timeout);
  if (!response.ok()) return Annotate(response.status(), "spec");
  return response;
}

absl::StatusOr<capture::Response> FetchDiscovered(const DriveContext& ctx, const Catalog& catalog) {
  absl::StatusOr<capture::Response> response =
      RunUnary(ctx.transport, BuildDiscover(catalog), "discovered", ctx.options.timeout);
  if (!response.ok()) return Annotate(response.status(), "discover");
  return response;
}

absl::StatusOr<flow::CaptureSpec> ValidateAndBuild(const DriveContext& ctx, const Catalog& catalog) {
  absl::StatusOr<capture::Response> validated =
      RunUnary(ctx.transport, BuildValidate(catalog), "validated", ctx.options.timeout);
  if (!validated.ok()) return Annotate(validated.status(), "validate");
  return BuildCaptureSpec(catalog, validated->validated());
}

CaptureSettings SettingsFrom(const DriveOptions& options) {
  CaptureSettings settings;
  settings.sessions = options.sessions;
  settings.duration = options.duration;
  settings.documents = options.documents;
  settings.print_documents = !options.quiet;
  settings.print_state = options.output_state;
  settings.progress_interval = options.progress_interval;
  settings.timeout = options.timeout;
  return settings;
}

absl::Status RunSpec(const DriveContext& ctx) {
  std::string config = "{}";
  if (!ctx.options.config.empty()) {
    ATF_ASSIGN_OR_RETURN(config, ReadConfig(ctx.options.config, "--config"));
  }
  ATF_ASSIGN_OR_RETURN(capture::Response response, FetchSpec(ctx, config));
  if (ctx.options.config_schema) return PrintJson(ctx, response.spec().config_schema_json());
  return PrintJson(ctx, ResponseBodyJson(response));
}

absl::Status RunDiscover(const DriveContext& ctx) {
  const DriveOptions& o = ctx.options;
  if (o.config.empty()) {
    if (o.write_dir.empty()) {
      return WithExitCode(absl::InvalidArgumentError("discover needs --config FILE (or --write DIR alone, which "
                                                     "writes a config stub to fill in)"),
                          2);
    }
    return WriteConfigStub(ctx);
  }
  const CatalogNames names = NamesFor(o.connector_dir, o.prefix, o.image);
  Catalog request_catalog;
  request_catalog.capture_name = names.capture_name;
  ATF_ASSIGN_OR_RETURN(request_catalog.config_json, ReadConfig(o.config, "--config"));
  ATF_ASSIGN_OR_RETURN(capture::Response response, FetchDiscovered(ctx, request_catalog));
  if (o.write_dir.empty()) return PrintJson(ctx, ResponseBodyJson(response));

  const Catalog catalog = CatalogFromDiscovered(response.discovered(), names, request_catalog.config_json);
  ATF_RETURN_IF_ERROR(WriteCatalog(catalog, o.write_dir));
  size_t disabled = 0;
  for (const CatalogBinding& binding : catalog.bindings) disabled += binding.disable ? 1 : 0;
  ctx.console.Err(absl::StrCat("wrote ", JoinPath(o.write_dir, kFlowFile), " (", kCaptureFile, ", ", kCollectionsFile,
                               ", ", kConfigFile, "): capture ", catalog.capture_name, " with ",
                               catalog.bindings.size(), " bindings",
                               disabled ? absl::StrCat(", ", disabled, " disabled") : ""));
  for (const CatalogBinding& binding : catalog.bindings) {
    ctx.console.Err(absl::StrCat("  ", binding.target, "  key ", absl::StrJoin(binding.key, ","),
                                 binding.disable ? "  (disabled)" : ""));
  }
  return absl::OkStatus();
}

absl::Status RunValidate(const DriveContext& ctx) {
  ATF_ASSIGN_OR_RETURN(Catalog catalog, ReadCatalogFrom(ctx.options.from_dir));
  absl::StatusOr<capture::Response> validated =
      RunUnary(ctx.transport, BuildValidate(catalog), "validated", ctx.options.timeout);
  if (!validated.ok()) return Annotate(validated.status(), "validate");
  ATF_RETURN_IF_ERROR(BuildCaptureSpec(catalog, validated->validated()).status());
  const std::vector<size_t> enabled = EnabledBindings(catalog);
  for (size_t i = 0; i < enabled.size(); ++i) {
    const auto& path = validated->validated().bindings(static_cast<int>(i)).resource_path();
    ctx.console.Err(
        absl::StrCat("  ", catalog.bindings[enabled[i]].target, "  resource path [", absl::StrJoin(path, ", "), "]"));
  }
  ctx.console.Err(absl::StrCat("validated ", enabled.size(), " bindings of ", catalog.capture_name));
  return PrintJson(ctx, ResponseBodyJson(*validated));
}

absl::Status RunCapture(const DriveContext& ctx) {
  const DriveOptions& o = ctx.options;
  ATF_ASSIGN_OR_RETURN(Catalog catalog, ReadCatalogFrom(o.from_dir));
  const std::string saved = JoinPath(o.from_dir, kStateFile);
  std::string state = "{}";
  if (!o.state_file.empty()) {
    ATF_ASSIGN_OR_RETURN(state, ReadConfig(o.state_file, "--state"));
    ctx.console.Err(absl::StrCat("starting from the state in ", o.state_file));
  } else if (!o.fresh && PathExists(saved)) {
    ATF_ASSIGN_OR_RETURN(state, ReadConfig(saved, "the saved state"));
    ctx.console.Err(absl::StrCat("resuming from the state in ", saved, " (--fresh starts over)"));
  }
  ATF_ASSIGN_OR_RETURN(flow::CaptureSpec spec, ValidateAndBuild(ctx, catalog));
  auto save = [&](int, const std::string& state_json) -> absl::Status {
    ATF_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(state_json, "state"));
    return WriteTextFile(saved, PrettyJson(doc));
  };
  ATF_ASSIGN_OR_RETURN(CaptureResult result,
                       RunCaptureSessions(ctx.transport, spec, state, SettingsFrom(o), ctx.console, ctx.stop, save));
  ctx.console.Flush().IgnoreError();  // a closed stdout ended the capture already
  PrintCaptureTable(result, ctx.console);
  ctx.console.Err(absl::StrCat("state saved to ", saved, " (the next capture resumes from it; --fresh starts over)"));
  if (!o.state_out.empty()) {
    ATF_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(result.state_json, "state"));
    ATF_RETURN_IF_ERROR(WriteTextFile(o.state_out, PrettyJson(doc)));
  }
  if (result.interrupted) {
    return WithExitCode(
        absl::CancelledError(absl::StrCat("interrupted (", ctx.stop.Describe(), "): the committed state was saved")),
        130);
  }
  if (result.violations > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(result.violations, " documents violate their collection's schema (listed above)"));
  }
  return absl::OkStatus();
}

}  // namespace atf::drive
