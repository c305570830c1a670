#include "tests/images/image_files.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace atf::images {
namespace {

namespace fs = std::filesystem;

bool Matches(absl::string_view pattern, absl::string_view path) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(path).c_str(), FNM_PATHNAME) == 0;
}

// The .dockerignore rules: later rules win, `!` re-includes, and a rule that
// matches a folder matches everything in it.
class IgnoreRules {
 public:
  explicit IgnoreRules(const std::string& folder) {
    std::ifstream in(folder + "/.dockerignore");
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view rule = absl::StripAsciiWhitespace(line);
      if (rule.empty() || rule.front() == '#') continue;
      const bool include = absl::ConsumePrefix(&rule, "!");
      absl::ConsumePrefix(&rule, "/");
      absl::ConsumePrefix(&rule, "./");
      rules_.push_back({std::string(rule), include});
    }
  }

  bool Ignored(absl::string_view path) const {
    bool ignored = false;
    for (const Rule& rule : rules_) {
      bool hit = false;
      for (size_t end = path.find('/'); !hit; end = path.find('/', end + 1)) {
        hit = Matches(rule.pattern, path.substr(0, end));
        if (end == absl::string_view::npos) break;
      }
      if (hit) ignored = !rule.include;
    }
    return ignored;
  }

 private:
  struct Rule {
    std::string pattern;
    bool include;
  };
  std::vector<Rule> rules_;
};

bool HasGlob(absl::string_view text) { return text.find_first_of("*?[") != absl::string_view::npos; }

// The destination as a path under WORKDIR ("" for WORKDIR itself, a trailing
// "/" for a folder), or nullopt when it lies outside.
std::optional<std::string> UnderWorkdir(const std::string& destination, const std::string& workdir) {
  std::string dest = destination;
  if (absl::StartsWith(dest, "/")) {
    if (dest == workdir || dest == workdir + "/") return std::string();
    if (!absl::StartsWith(dest, workdir + "/")) return std::nullopt;
    dest = dest.substr(workdir.size() + 1);
  }
  absl::string_view view = dest;
  while (absl::ConsumePrefix(&view, "./")) {}
  if (view == ".") return std::string();
  if (absl::StrContains(view, "..")) return std::nullopt;
  return std::string(view);
}

}  // namespace

std::vector<std::string> ListFiles(const std::string& folder) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), folder).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<ImageFile> ContextFiles(const DerivedImage& image, const std::string& folder,
                                    absl::string_view dockerfile_name, std::vector<std::string>& problems) {
  const IgnoreRules ignore(folder);
  const std::vector<std::string> all_files = ListFiles(folder);
  std::vector<ImageFile> files;
  for (const CopyStep& copy : image.copies) {
    if (!copy.from_stage.empty()) continue;
    auto problem = [&](absl::string_view what) {
      problems.push_back(absl::StrCat(dockerfile_name, ":", copy.line, ": ", what));
    };
    std::optional<std::string> dest = UnderWorkdir(copy.destination, image.workdir);
    if (!dest) {
      problem(absl::StrCat("copies to `", copy.destination, "`, outside WORKDIR ", image.workdir,
                           ": the shim reads patch files from its working directory"));
      continue;
    }
    const bool dest_is_folder =
        dest->empty() || absl::EndsWith(*dest, "/") || copy.sources.size() > 1 || HasGlob(copy.sources.front());
    if (dest_is_folder && !dest->empty() && !absl::EndsWith(*dest, "/")) *dest += "/";
    for (const std::string& source : copy.sources) {
      absl::string_view src = source;
      while (absl::ConsumePrefix(&src, "./")) {}
      while (absl::ConsumeSuffix(&src, "/")) {}
      if (absl::StartsWith(src, "/") || src == ".." || absl::StartsWith(src, "../") || absl::StrContains(src, "/../")) {
        problem(absl::StrCat("COPY source `", source, "` is outside the connector folder"));
        continue;
      }
      bool matched = false;
      for (const std::string& file : all_files) {
        if (ignore.Ignored(file)) continue;
        std::string target;
        if (src == "." || src.empty()) {
          target = *dest + file;  // the whole context
        } else if (HasGlob(src) ? Matches(src, file) : file == src) {
          target = dest_is_folder ? *dest + fs::path(file).filename().string() : *dest;
        } else if (absl::StartsWith(file, absl::StrCat(src, "/"))) {
          // A folder copies its contents (Docker's rule for COPY dir dest).
          std::string inside = file.substr(src.size() + 1);
          target = dest->empty() || absl::EndsWith(*dest, "/") ? *dest + inside : absl::StrCat(*dest, "/", inside);
        } else {
          continue;
        }
        matched = true;
        files.push_back({file, target, copy.line});
      }
      if (!matched) problem(absl::StrCat("COPY source `", source, "` matches no file of the connector folder"));
    }
  }
  return files;
}

}  // namespace atf::images
