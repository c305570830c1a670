// The private directory holding the connector's input files (config.json,
// catalog.json, state.json): under $TMPDIR, else /var/tmp, mode 0700, files
// mode 0600, removed with everything in it when the owner goes away.
#pragma once

#include <memory>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace atf {

class TempDir {
 public:
  static absl::StatusOr<std::unique_ptr<TempDir>> Create();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `name` (replacing it) with mode 0600; returns its absolute path.
  absl::StatusOr<std::string> WriteFile(absl::string_view name, absl::string_view contents) const;

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace atf
