#include "atf/base/spawn.h"

#include <signal.h>
#include <spawn.h>
#include <string.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace atf {
namespace {

// Owns the strings of an argv or envp and hands out the pointer array.
class CStringList {
 public:
  void Add(std::string s) { strings_.push_back(std::move(s)); }
  char** Get() {
    pointers_.clear();
    for (std::string& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
    return pointers_.data();
  }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

bool Overridden(absl::string_view entry, const std::vector<std::pair<std::string, std::string>>& env) {
  for (const auto& [key, value] : env) {
    if (entry.size() > key.size() && entry[key.size()] == '=' && absl::StartsWith(entry, key)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<pid_t> Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("spawn: empty argv");
  CStringList argv;
  for (const std::string& arg : options.argv) argv.Add(arg);
  CStringList envp;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!Overridden(*e, options.env)) envp.Add(*e);
  }
  for (size_t i = 0; i < options.env.size(); ++i) {
    bool later = false;
    for (size_t j = i + 1; j < options.env.size(); ++j) later = later || options.env[j].first == options.env[i].first;
    if (!later) envp.Add(absl::StrCat(options.env[i].first, "=", options.env[i].second));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const int sources[3] = {options.stdin_fd, options.stdout_fd, options.stderr_fd};
  for (int target = 0; target < 3; ++target) {
    if (sources[target] >= 0) posix_spawn_file_actions_adddup2(&actions, sources[target], target);
  }
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.new_process_group) {
    posix_spawnattr_setpgroup(&attr, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr, flags);

  pid_t pid;
  const int rc = ::posix_spawn(&pid, options.argv[0].c_str(), &actions, &attr, argv.Get(), envp.Get());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return absl::FailedPreconditionError(absl::StrCat("cannot start ", options.argv[0], ": ", ::strerror(rc)));
  return pid;
}

}  // namespace atf
