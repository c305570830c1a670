#include "atf/drive/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "atf/base/fd.h"
#include "atf/base/json.h"
#include "atf/base/status.h"

namespace atf::drive {

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError(absl::StrCat("cannot read ", path), errno);
  absl::StatusOr<std::string> text = ReadAll(fd.get());
  if (!text.ok()) return Annotate(text.status(), path);
  return text;
}

absl::StatusOr<rapidjson::Document> ReadJsonFile(const std::string& path) {
  ATF_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return ParseJson(text, path);
}

absl::Status WriteTextFile(const std::string& path, absl::string_view contents) {
  const std::string temp = absl::StrCat(path, ".tmp-", ::getpid());
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError(absl::StrCat("cannot write ", path), errno);
  while (!contents.empty()) {
    const ssize_t n = ::write(fd.get(), contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::unlink(temp.c_str());
      return ErrnoError(absl::StrCat("cannot write ", path), error);
    }
    contents.remove_prefix(static_cast<size_t>(n));
  }
  fd.reset();
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return ErrnoError(absl::StrCat("cannot write ", path), error);
  }
  return absl::OkStatus();
}

absl::Status MakeDirectories(const std::string& path) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoError(absl::StrCat("cannot create the folder ", prefix), errno);
    }
    if (slash == std::string::npos) break;
  }
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a folder"));
  }
  return absl::OkStatus();
}

bool PathExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string JoinPath(absl::string_view dir, absl::string_view name) {
  if (!name.empty() && name[0] == '/') return std::string(name);
  if (dir.empty()) return std::string(name);
  if (dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

std::string BaseName(absl::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  absl::string_view base = slash == absl::string_view::npos ? path : path.substr(slash + 1);
  if (base.empty() || base == ".") {
    char cwd[4096];
    if (::getcwd(cwd, sizeof(cwd)) != nullptr) return BaseName(cwd);
  }
  return std::string(base);
}

}  // namespace atf::drive
