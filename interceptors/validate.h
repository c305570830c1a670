// Validate (docs/reference.md, Validate): runs `check` with the remapped config;
// a SUCCEEDED status answers with one resource path per binding, in request
// order; FAILED is an error carrying the connector's message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "interceptors/interceptor.h"

namespace atf {

class ValidateInterceptor : public Interceptor {
 public:
  ValidateInterceptor(OperationContext context, const capture::Request::Validate& request)
      : Interceptor(context), request_(request) {}

  absl::string_view name() const override { return "validate"; }
  // Bad resource configs are reported before the connector starts.
  absl::StatusOr<std::vector<std::string>> Prepare() override;
  absl::Status OnMessage(AirbyteMessage& message) override;
  absl::Status Finish(const RunOutcome& outcome) override;

 private:
  const capture::Request::Validate& request_;
  std::vector<std::vector<std::string>> resource_paths_;
  std::optional<rapidjson::Document> status_;
};

}  // namespace atf
