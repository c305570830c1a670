#include "interceptors/interceptor.h"

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "patches/remap.h"

namespace atf {

absl::Status TakeExpectedMessage(const AirbyteMessage& message, AirbyteType expected,
                                 std::optional<rapidjson::Document>* slot, Logger log) {
  if (slot->has_value()) {
    log.Debug(absl::StrCat("ignoring a ", AirbyteTypeName(message.type), " message after the ",
                           AirbyteTypeName(expected), " message"));
    return absl::OkStatus();
  }
  if (message.type != expected) {
    return absl::FailedPreconditionError(absl::StrCat(
        "expected a ", AirbyteTypeName(expected), " message from the connector, got ", AirbyteTypeName(message.type)));
  }
  const rapidjson::Value* payload = message.Payload();
  if (payload == nullptr || !payload->IsObject()) {
    return absl::FailedPreconditionError(
        absl::StrCat(AirbyteTypeName(expected), " message without its payload object"));
  }
  slot->emplace();
  (*slot)->CopyFrom(*payload, (*slot)->GetAllocator());
  return absl::OkStatus();
}

absl::Status MissingExpectedMessage(AirbyteType expected) {
  return absl::FailedPreconditionError(
      absl::StrCat("connector exited with code 0 without writing a ", AirbyteTypeName(expected), " message"));
}

absl::StatusOr<rapidjson::Document> ConnectorConfig(const OperationContext& ctx, absl::string_view config_json) {
  if (config_json.empty()) config_json = "{}";
  absl::StatusOr<rapidjson::Document> config = ParseJson(config_json, "endpoint config");
  if (!config.ok()) return absl::InvalidArgumentError(config.status().message());
  ATF_ASSIGN_OR_RETURN(std::optional<ConfigMap> map, ctx.connector_dir.SpecMap());
  if (map.has_value()) {
    ATF_RETURN_IF_ERROR(RemapConfig(*config, *map, ctx.connector_dir.PathOf("spec.map.json")));
  }
  return config;
}

absl::StatusOr<std::string> WriteInputFile(const OperationContext& ctx, absl::string_view name,
                                           absl::string_view contents) {
  ATF_ASSIGN_OR_RETURN(const TempDir* dir, ctx.temp_dir());
  return dir->WriteFile(name, contents);
}

absl::StatusOr<std::vector<std::string>> ConfigOnlyCommand(const OperationContext& ctx, absl::string_view command,
                                                           absl::string_view config_json) {
  ATF_ASSIGN_OR_RETURN(rapidjson::Document config, ConnectorConfig(ctx, config_json));
  ATF_ASSIGN_OR_RETURN(std::string path, WriteInputFile(ctx, "config.json", WriteJson(config)));
  return std::vector<std::string>{std::string(command), "--config", path};
}

}  // namespace atf
