#include "output_files.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "common/error.hpp"
#include "common/fault.hpp"
#include "common/text.hpp"

namespace shmcount {
namespace {

std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A path for messages: quoted, control characters escaped, very long ones cut.
std::string quoted(const std::string& path) {
  const std::string shown = printable(path.size() > 80 ? path.substr(0, 77) + "..." : path);
  return "'" + shown + "'";
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string link_target(const std::string& path) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  return n < 0 ? std::string("?") : std::string(buf, static_cast<std::size_t>(n));
}

// A folder other users can write into, without the sticky bit, lets them replace what is in it.
void refuse_if_others_can_write(const std::string& folder, const struct stat& st) {
  if (st.st_mode & S_ISVTX) return;
  const bool others = (st.st_mode & S_IWOTH) != 0;
  const bool group = (st.st_mode & S_IWGRP) != 0 && st.st_gid != ::getegid();
  if (!others && !group) return;
  throw UsageError(quoted(folder) + " is writable by other users (mode " + mode_text(st.st_mode) +
                   ") and has no sticky bit, so they could replace your results: chmod go-w " +
                   quoted(folder) + " (or chmod +t), or choose another --output");
}

// The folder shmcount writes into by default: a real folder of this user, created when missing.
// Returns true when it was created here.
bool check_default_folder(const std::string& folder) {
  struct stat st {};
  if (::lstat(folder.c_str(), &st) != 0) {
    const int err = errno;
    if (err != ENOENT) {
      throw UsageError("cannot look at " + quoted(folder) + ": " + describe_errno("lstat", err) +
                       "; use --output");
    }
    struct stat here {};
    if (::stat(".", &here) != 0 || here.st_nlink == 0) {
      throw UsageError("the current folder no longer exists (deleted?); cd to an existing folder");
    }
    if (::mkdir(folder.c_str(), 0777) != 0) {
      throw UsageError("cannot create " + quoted(folder) + " in the current folder: " +
                       describe_errno("mkdir", errno) + "; use --output PATH");
    }
    return true;
  }
  if (S_ISLNK(st.st_mode)) {
    if (st.st_uid != ::geteuid() && st.st_uid != 0) {
      throw UsageError(quoted(folder) + " is a symbolic link owned by another user (uid " +
                       std::to_string(st.st_uid) +
                       "); shmcount does not follow it: remove it or use --output");
    }
    struct stat target {};
    if (::stat(folder.c_str(), &target) != 0) {
      throw UsageError(
          quoted(folder) + " is a symbolic link to " + quoted(link_target(folder)) +
          ", which does not exist: remove the link, create its folder, or use --output");
    }
    if (!S_ISDIR(target.st_mode)) {
      throw UsageError(quoted(folder) + " links to " + quoted(link_target(folder)) +
                       ", which is not a folder: remove the link or use --output");
    }
    refuse_if_others_can_write(folder, target);
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    throw UsageError(quoted(folder) + " is a file, not a folder: move it away or use --output");
  }
  refuse_if_others_can_write(folder, st);
  return false;
}

// The folder of a file the user named: it must exist and be a folder.
void check_user_folder(const std::string& folder) {
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT && folder == ".") {
      throw UsageError("the current folder no longer exists (deleted?); cd to an existing folder");
    }
    if (err == ENOENT) {
      throw UsageError("output folder " + quoted(folder) +
                       " does not exist; create it or choose another --output");
    }
    if (err == ENOTDIR) {
      throw UsageError("a part of the output folder " + quoted(folder) +
                       " is a file, not a folder; choose another --output");
    }
    throw UsageError("cannot use output folder " + quoted(folder) + ": " +
                     describe_errno("stat", err));
  }
  if (!S_ISDIR(st.st_mode)) {
    throw UsageError("output folder " + quoted(folder) +
                     " is a file, not a folder; choose another --output");
  }
  if (folder[0] != '/') {
    struct stat here {};
    if (::stat(".", &here) != 0 || here.st_nlink == 0) {
      throw UsageError("the current folder no longer exists (deleted?); cd to an existing folder");
    }
  }
}

// The name must fit the file system and the path PATH_MAX, and nothing may be there yet: not a
// file, not a link (even one to nowhere: linkat() would refuse it only after the run).
void check_name(const std::string& path, const std::string& folder) {
  const std::string name = name_of(path);
  long name_max = ::pathconf(folder.c_str(), _PC_NAME_MAX);
  if (name_max <= 0) name_max = NAME_MAX;
  if (name.size() > static_cast<std::size_t>(name_max)) {
    throw UsageError("the file name " + quoted(name) + " is " + std::to_string(name.size()) +
                     " bytes, longer than the " + std::to_string(name_max) +
                     " bytes the file system allows; choose a shorter --output");
  }
  if (name.empty() || name == "." || name == "..") {
    throw UsageError("--output " + quoted(path) + " names a folder, not a file");
  }
}

void refuse_existing(const std::string& csv, const std::string& json) {
  for (const std::string& path : {csv, json}) {
    struct stat there {};
    if (::lstat(path.c_str(), &there) != 0 || S_ISREG(there.st_mode) || S_ISLNK(there.st_mode)) {
      continue;
    }
    throw UsageError(quoted(path) + (S_ISDIR(there.st_mode) ? " is a folder" : " is not a file") +
                     ", not a result file shmcount could write: choose another --output");
  }
  struct stat st {};
  const bool csv_there = ::lstat(csv.c_str(), &st) == 0;
  const bool csv_link = csv_there && S_ISLNK(st.st_mode);
  const bool json_there = ::lstat(json.c_str(), &st) == 0;
  const bool json_link = json_there && S_ISLNK(st.st_mode);
  for (const auto& [path, link] : {std::pair{csv, csv_link}, std::pair{json, json_link}}) {
    struct stat target {};
    if (link && ::stat(path.c_str(), &target) != 0) {
      throw UsageError(quoted(path) + " is a symbolic link to " + quoted(link_target(path)) +
                       ", which does not exist; shmcount never writes through or over a link: "
                       "remove it or choose another --output");
    }
  }
  if (csv_there && json_there) {
    throw UsageError(quoted(csv) + " and " + quoted(json) +
                     " already exist; shmcount never overwrites results: choose another --output "
                     "or move the old files");
  }
  if (csv_there || json_there) {
    const std::string& there = csv_there ? csv : json;
    const std::string& missing = csv_there ? json : csv;
    throw UsageError(quoted(there) + " already exists, without " + quoted(missing) +
                     " (if a run was killed while naming its files, this is its incomplete pair); "
                     "shmcount never overwrites results: remove " +
                     quoted(there) + " or choose another --output");
  }
}

// Explains why no file can be created in `folder`.
[[noreturn]] void cannot_create(const std::string& folder, int err) {
  std::string why;
  switch (err) {
    case EROFS:
      why = "it is on a read-only file system";
      break;
    case EACCES:
    case EPERM:
      why = "it is not writable by this user";
      break;
    case ENOSPC:
    case EDQUOT:
      why = "its file system is full";
      break;
    default:
      why = "it does not take new files (a virtual file system like /proc or /sys?)";
  }
  throw UsageError("cannot create the result files in " + quoted(folder) + ": " + why + " (" +
                   describe_errno("open", err) + "); choose another --output");
}

// Whether linkat() can name an O_TMPFILE file: it goes through /proc/self/fd.
bool proc_fd_available() { return ::access("/proc/self/fd", X_OK) == 0; }

bool is_tmpfile_unsupported(int err) { return err == EOPNOTSUPP || err == EISDIR || err == EINVAL; }

}  // namespace

unsigned new_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666u & ~static_cast<unsigned>(mask);
}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      temp_path_(std::exchange(other.temp_path_, {})),
      linked_(other.linked_) {}

PendingFile& PendingFile::operator=(PendingFile&& other) noexcept {
  if (this != &other) {
    discard();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    temp_path_ = std::exchange(other.temp_path_, {});
    linked_ = other.linked_;
  }
  return *this;
}

PendingFile::~PendingFile() { discard(); }

void PendingFile::discard() noexcept {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  if (!temp_path_.empty()) ::unlink(std::exchange(temp_path_, {}).c_str());
}

void PendingFile::write(std::string_view content) {
  auto write_all = [&](std::string_view part) {
    for (std::size_t done = 0; done < part.size();) {
      const ssize_t n = ::write(fd_, part.data() + done, part.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Error(describe_errno("writing " + quoted(path_), errno));
      done += static_cast<std::size_t>(n);
    }
  };
  const std::size_t half = content.size() / 2;
  write_all(content.substr(0, half));
  maybe_stall("write");  // The fault suite kills rank 0 here, with half a file written.
  write_all(content.substr(half));
  if (::fsync(fd_) != 0) throw Error(describe_errno("fsync of " + quoted(path_), errno));
}

void PendingFile::link() {
  int rc = 0;
  if (temp_path_.empty()) {
    const std::string self = "/proc/self/fd/" + std::to_string(fd_);
    rc = ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path_.c_str(), AT_SYMLINK_FOLLOW);
  } else {
    rc = ::link(temp_path_.c_str(), path_.c_str());
  }
  if (rc != 0) throw Error(describe_errno("creating " + quoted(path_), errno));
  linked_ = true;
  if (!temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }
}

void PendingFile::unlink_after_link() {
  if (linked_) ::unlink(path_.c_str());
  linked_ = false;
}

OutputFiles::OutputFiles(OutputFiles&& other) noexcept
    : csv_(std::move(other.csv_)),
      json_(std::move(other.json_)),
      created_folder_(std::exchange(other.created_folder_, {})),
      folder_fd_(std::exchange(other.folder_fd_, -1)),
      committed_(other.committed_) {}

OutputFiles& OutputFiles::operator=(OutputFiles&& other) noexcept {
  if (this != &other) {
    discard();
    csv_ = std::move(other.csv_);
    json_ = std::move(other.json_);
    created_folder_ = std::exchange(other.created_folder_, {});
    folder_fd_ = std::exchange(other.folder_fd_, -1);
    committed_ = other.committed_;
  }
  return *this;
}

OutputFiles::~OutputFiles() { discard(); }

void OutputFiles::discard() noexcept {
  csv_.discard();
  json_.discard();
  // The folder this run created goes too, when the run failed, but only while no other run
  // holds it (the others' files in it have no name yet, so it looks empty to rmdir).
  if (!committed_ && !created_folder_.empty() && folder_fd_ >= 0 &&
      ::flock(folder_fd_, LOCK_EX | LOCK_NB) == 0) {
    ::rmdir(created_folder_.c_str());
  }
  created_folder_.clear();
  if (folder_fd_ >= 0) ::close(std::exchange(folder_fd_, -1));
}

void OutputFiles::hold_default_folder(const std::string& folder) {
  // A run that created the folder and failed removes it: take it again when that happened
  // between looking at it and holding it.
  for (int attempt = 0; attempt < 10; ++attempt) {
    const bool created = check_default_folder(folder);
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_SH) != 0) {
      const int err = errno;
      ::close(fd);
      throw UsageError("cannot hold " + quoted(folder) +
                       " while this run writes into it: " + describe_errno("flock", err));
    }
    struct stat held {
    }, named{};
    if (::fstat(fd, &held) == 0 && ::stat(folder.c_str(), &named) == 0 &&
        held.st_dev == named.st_dev && held.st_ino == named.st_ino && held.st_nlink > 0) {
      folder_fd_ = fd;
      if (created) created_folder_ = folder;
      return;
    }
    ::close(fd);
  }
  throw UsageError(quoted(folder) + " keeps disappearing (another run removing it?); use --output");
}

OutputFiles OutputFiles::prepare(const std::string& csv_path, const std::string& json_path,
                                 const std::string& default_folder) {
  OutputFiles out;
  for (const std::string& path : {csv_path, json_path}) {
    if (path.size() >= PATH_MAX) {
      throw UsageError("--output: the path is " + std::to_string(path.size()) +
                       " bytes, longer than PATH_MAX (" + std::to_string(PATH_MAX - 1) + ")");
    }
  }
  const std::string folder = folder_of(csv_path);
  if (!default_folder.empty()) {
    out.hold_default_folder(default_folder);
  } else {
    check_user_folder(folder);
  }
  check_name(csv_path, folder);
  check_name(json_path, folder);
  refuse_existing(csv_path, json_path);

  const unsigned mode = new_file_mode();
  bool use_tmpfile = proc_fd_available();
  for (PendingFile* file : {&out.csv_, &out.json_}) {
    file->path_ = file == &out.csv_ ? csv_path : json_path;
    if (use_tmpfile) {
      file->fd_ = inject_call_fault("tmpfile")
                      ? -1
                      : ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
      if (file->fd_ >= 0) continue;
      const int err = errno;
      if (!is_tmpfile_unsupported(err)) cannot_create(folder, err);
      use_tmpfile = false;  // The same folder, the same answer for the second file.
    }
    std::string temp = (folder == "/" ? "" : folder) + "/.shmcount-XXXXXX";
    file->fd_ = ::mkostemp(temp.data(), O_CLOEXEC);
    if (file->fd_ < 0) cannot_create(folder, errno);
    file->temp_path_ = temp;
    if (::fchmod(file->fd_, mode) != 0) cannot_create(folder, errno);
  }
  return out;
}

void OutputFiles::commit(std::string_view csv, std::string_view json) {
  csv_.write(csv);
  json_.write(json);
  csv_.link();
  maybe_stall("link");  // The fault suite kills rank 0 here: the one window a kill leaves a file.
  try {
    json_.link();
  } catch (const Error&) {
    csv_.unlink_after_link();
    throw;
  }
  committed_ = true;
}

}  // namespace shmcount
