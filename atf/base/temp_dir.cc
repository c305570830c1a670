#include "atf/base/temp_dir.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"

namespace atf {

absl::StatusOr<std::unique_ptr<TempDir>> TempDir::Create() {
  const char* tmpdir = ::getenv("TMPDIR");
  std::string parent = (tmpdir != nullptr && *tmpdir != '\0') ? tmpdir : "/var/tmp";
  std::string pattern = absl::StrCat(parent, "/atf-XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {  // mkdtemp creates the directory with mode 0700
    return absl::FailedPreconditionError(absl::StrCat("cannot create a temporary directory in ", parent, ": ",
                                                      ::strerror(errno), " (set TMPDIR to a writable directory)"));
  }
  std::string path(buffer.data());
  if (path.front() != '/') {
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    if (!ec) path = absolute.string();
  }
  return std::unique_ptr<TempDir>(new TempDir(std::move(path)));
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

absl::StatusOr<std::string> TempDir::WriteFile(absl::string_view name, absl::string_view contents) const {
  std::string file = absl::StrCat(path_, "/", name);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot write ", file, ": ", ::strerror(errno)));
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string error = ::strerror(errno);
      ::close(fd);
      return absl::InternalError(absl::StrCat("cannot write ", file, ": ", error));
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return absl::InternalError(absl::StrCat("cannot write ", file, ": ", ::strerror(errno)));
  return file;
}

}  // namespace atf
