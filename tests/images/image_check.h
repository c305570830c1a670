// The image check: everything that can be known about a derived connector
// image without Docker. Static rules on the Dockerfile, metadata.json and the
// patch files, then the image's working directory assembled in a temporary
// folder and its ENTRYPOINT run (with the upstream connector swapped for the
// demo connector) to show that a Spec response carries the folder's patches.
#pragma once

#include <string>
#include <vector>

namespace atf::images {

struct CheckOptions {
  std::string shim;            // the airbyte-to-flow binary to place at WORKDIR
  std::string demo_connector;  // stands in for the upstream connector
  double timeout_seconds = 30;
};

struct CheckResult {
  std::vector<std::string> problems;  // empty when the folder passes
  std::vector<std::string> shown;     // what the Spec run showed, for the report
};

CheckResult CheckConnectorFolder(const std::string& folder, const CheckOptions& options);

// The categories metadata.json may name.
const std::vector<std::string>& Categories();

}  // namespace atf::images
