// The files a derived connector image gets from its build context: the
// connector folder's COPY steps expanded (globs, folders, .dockerignore) to
// "this file of the folder lands at that path under WORKDIR".
#pragma once

#include <string>
#include <vector>

#include "tests/images/derived_image.h"

namespace atf::images {

struct ImageFile {
  std::string source;  // relative to the connector folder
  std::string target;  // relative to WORKDIR
  int line = 0;        // of the COPY that brings it
};

// Every regular file under `folder`, relative to it, sorted.
std::vector<std::string> ListFiles(const std::string& folder);

// Problems (a source missing or outside the folder, a target outside
// WORKDIR) are appended to `problems` naming `dockerfile_name` and the line.
std::vector<ImageFile> ContextFiles(const DerivedImage& image, const std::string& folder,
                                    absl::string_view dockerfile_name, std::vector<std::string>& problems);

}  // namespace atf::images
