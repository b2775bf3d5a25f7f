#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/fault.hpp"

namespace shmcount {
namespace {

std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Closes a descriptor and removes the temporary file unless released.
struct TempFile {
  int fd = -1;
  std::string path;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

void check_can_create(const std::string& path) {
  const std::string folder = folder_of(path);
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw Error("output folder '" + folder + "' does not exist; create it or choose another " +
                "--output");
  }
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    throw Error("output folder '" + folder + "' is not writable; choose another --output");
  }
  if (::lstat(path.c_str(), &st) == 0) {
    throw Error("'" + path + "' already exists; shmcount never overwrites results: choose " +
                "another --output or move the old file");
  }
}

void write_new_file(const std::string& path, std::string_view content) {
  // An unnamed file (O_TMPFILE) has no name until linkat() gives it one, so a run killed while
  // writing leaves nothing at all. Where the file system lacks O_TMPFILE, a named temporary is
  // used and removed on every error path (only kill -9 mid-write could then leave it).
  TempFile tmp;
  const std::string folder = folder_of(path);
  tmp.fd = ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (tmp.fd < 0) {
    tmp.path = path + ".tmp.XXXXXX";
    tmp.fd = ::mkstemp(tmp.path.data());
    if (tmp.fd < 0) {
      const int err = errno;
      tmp.path.clear();
      throw Error(describe_errno("creating a file in '" + folder + "'", err));
    }
    ::fchmod(tmp.fd, 0644);
  }
  auto write_all = [&](std::string_view part) {
    for (std::size_t done = 0; done < part.size();) {
      const ssize_t n = ::write(tmp.fd, part.data() + done, part.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Error(describe_errno("writing '" + path + "'", errno));
      done += static_cast<std::size_t>(n);
    }
  };
  const std::size_t half = content.size() / 2;
  write_all(content.substr(0, half));
  maybe_stall("write");  // The fault suite kills rank 0 here, with half a file written.
  write_all(content.substr(half));
  if (::fsync(tmp.fd) != 0) throw Error(describe_errno("fsync of '" + path + "'", errno));
  // Both linkat() and link() fail with EEXIST instead of replacing, unlike rename().
  int rc = 0;
  if (tmp.path.empty()) {
    const std::string self = "/proc/self/fd/" + std::to_string(tmp.fd);
    rc = ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW);
  } else {
    rc = ::link(tmp.path.c_str(), path.c_str());
  }
  if (rc != 0) throw Error(describe_errno("creating '" + path + "'", errno));
}

}  // namespace shmcount
