// Each file a derived image carries at WORKDIR, loaded as the patch file its
// name says it is, through the shim's own loaders (patches/, interceptors/pk):
// a file passes here exactly when the shim can use it.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "patches/connector_dir.h"

namespace atf::images {

// The patch files the shim reads from its folder (stream files are
// streams/<stream>.patch.json, .pk.json and .normalize.json).
const std::vector<std::string>& PatchFileNames();

// OK when `relative` (a path under `dir`) is a well-formed patch file;
// NotFound when the shim never reads a file of that name.
absl::Status CheckPatchFile(const ConnectorDir& dir, const std::string& relative);

}  // namespace atf::images
