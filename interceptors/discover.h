// Discover (docs/reference.md, Discover; docs/decisions.md, D4, D5): runs `discover` with
// the remapped config and turns the connector's catalog into Flow bindings,
// applying the folder's stream files and the schema fixes.
#pragma once

#include <optional>
#include <string>

#include "interceptors/interceptor.h"

namespace atf {

// A stream name as a collection name suffix: each `/`-separated piece keeps
// only letters, digits, `-`, `.` and `_`; empty pieces are dropped.
// "/&foo!/B ar// b+i-n.g /" -> "foo/Bar/bi-n.g".
std::string RecommendedName(absl::string_view stream_name);

// Builds the Discovered response from the connector's CATALOG payload and the
// folder's patch files. Warnings (keys that cannot be fixed) go to `log`.
absl::StatusOr<capture::Response> BuildDiscoverResponse(const rapidjson::Value& catalog,
                                                        const ConnectorDir& connector_dir, Logger log);

class DiscoverInterceptor : public Interceptor {
 public:
  DiscoverInterceptor(OperationContext context, const capture::Request::Discover& request)
      : Interceptor(context), request_(request) {}

  absl::string_view name() const override { return "discover"; }
  absl::StatusOr<std::vector<std::string>> Prepare() override;
  absl::Status OnMessage(AirbyteMessage& message) override;
  absl::Status Finish(const RunOutcome& outcome) override;

 private:
  const capture::Request::Discover& request_;
  std::optional<rapidjson::Document> catalog_;
};

}  // namespace atf
