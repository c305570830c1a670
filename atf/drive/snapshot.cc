#include "atf/drive/commands.h"
namespace atf::drive {
absl::Status RunSnapshot(const DriveContext& ctx) { return absl::UnimplementedError("snapshot"); }
absl::Status RunCompat(const DriveOptions& options, Console& console) { return absl::UnimplementedError("compat"); }
}  // namespace atf::drive
