#include "interceptors/validate.h"

#include "absl/strings/str_cat.h"
#include "atf/base/json.h"
#include "atf/base/status.h"
#include "interceptors/resource.h"

namespace atf {

absl::StatusOr<std::vector<std::string>> ValidateInterceptor::Prepare() {
  for (int i = 0; i < request_.bindings_size(); ++i) {
    absl::StatusOr<ResourceSpec> resource = ParseResourceSpec(request_.bindings(i).resource_config_json());
    if (!resource.ok()) {
      std::string collection = request_.bindings(i).collection().name();
      return absl::InvalidArgumentError(absl::StrCat("binding ", i, collection.empty() ? "" : " (" + collection + ")",
                                                     ": ", resource.status().message()));
    }
    resource_paths_.push_back(resource->ResourcePath());
  }
  return ConfigOnlyCommand(ctx_, "check", request_.config_json());
}

absl::Status ValidateInterceptor::OnMessage(AirbyteMessage& message) {
  return TakeExpectedMessage(message, AirbyteType::kConnectionStatus, &status_, log_);
}

absl::Status ValidateInterceptor::Finish(const RunOutcome&) {
  if (!status_) return MissingExpectedMessage(AirbyteType::kConnectionStatus);
  const rapidjson::Value* status = FindMember(*status_, "status");
  const rapidjson::Value* message = FindMember(*status_, "message");
  const std::string text = message && message->IsString() ? std::string(ViewOf(*message)) : "";
  if (status == nullptr || !status->IsString()) {
    return absl::FailedPreconditionError("the connector's CONNECTION_STATUS has no string `status`");
  }
  if (ViewOf(*status) == "FAILED") {
    return absl::FailedPreconditionError(text.empty() ? "the connector's connection check failed" : OneLine(text));
  }
  if (ViewOf(*status) != "SUCCEEDED") {
    return absl::FailedPreconditionError(absl::StrCat("unknown connection status `", ViewOf(*status), "`"));
  }
  capture::Response response;
  capture::Response::Validated* validated = response.mutable_validated();
  for (const std::vector<std::string>& path : resource_paths_) {
    auto* binding = validated->add_bindings();
    for (const std::string& component : path) binding->add_resource_path(component);
  }
  return ctx_.out.Write(response);
}

}  // namespace atf
