#include "posix.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>

#include "common/error.hpp"
#include "common/fault.hpp"
#include "memory/pages.hpp"

namespace shmcount {
namespace {

constexpr mode_t kMode = 0600;

std::string random_name() {
  std::random_device random;
  char name[64];
  std::snprintf(name, sizeof name, "shmcount-%08x%08x", random(), random());
  return name;
}

}  // namespace

// The file system must have room: tmpfs accepts ftruncate() of any size and then kills the
// process with SIGBUS when it writes a page that does not fit (Docker's 64 MB /dev/shm).
void check_space(const std::string& folder, std::size_t bytes, bool huge, const SizeNeed& need,
                 std::string_view container) {
  struct statvfs fs {};
  if (::statvfs(folder.c_str(), &fs) != 0) {
    throw UsageError("cannot use " + folder +
                     " for POSIX shared memory: " + describe_errno("statvfs", errno));
  }
  double free = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
  // A hugetlbfs mounted without size= has no limit of its own: the free huge pages are.
  if (huge && fs.f_blocks == 0) {
    free = static_cast<double>(huge_pages_free()) * static_cast<double>(huge_page_size());
  }
  if (free < static_cast<double>(bytes)) {
    SizeNeed what = need;
    if (what.total() == 0) what.array_bytes = bytes;
    const std::vector<std::string> fixes = what.fixes(free);
    throw UsageError(
        folder + " has " + human_bytes(free) + " free, and " + what.needs(container, bytes) +
        (huge ? "; " + use(plus(fixes, {"more huge pages (sysctl -w vm.nr_hugepages=N)"}))
              : "; " + use(plus(fixes, {"--share sysv", "a larger /dev/shm"})) +
                    " (a container's is 64 MB unless it was started with --shm-size)"));
  }
}

std::string shared_file_folder(bool huge) { return huge ? hugetlbfs_mount() : "/dev/shm"; }

SharedFile SharedFile::create(std::size_t bytes, bool huge, const SizeNeed& need) {
  const std::string folder = shared_file_folder(huge);
  if (folder.empty()) {
    throw UsageError(
        "--share posix --pages huge needs a hugetlbfs mount and none is mounted: mount one "
        "(mount -t hugetlbfs none /dev/hugepages) and reserve pages (sysctl -w "
        "vm.nr_hugepages=N), or use --share sysv or private for huge pages");
  }
  check_space(folder, bytes, huge, need);
  const std::string name = random_name();
  int fd = -1;
  std::string call;
  if (inject_call_fault("shm_open")) {
    call = "shm_open(/" + name + ")";
  } else if (huge) {
    const std::string path = folder + "/" + name;
    call = "open(" + path + ", O_CREAT|O_EXCL|O_RDWR, 0600)";
    fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, kMode);
    if (fd >= 0) ::unlink(path.c_str());
  } else {
    call = "shm_open(/" + name + ", O_CREAT|O_EXCL|O_RDWR, 0600)";
    fd = ::shm_open(("/" + name).c_str(), O_CREAT | O_EXCL | O_RDWR, kMode);
    // Unlinked at once: from here on no exit of any kind can leave the file in /dev/shm.
    if (fd >= 0) ::shm_unlink(("/" + name).c_str());
  }
  if (fd < 0) {
    const int err = errno;
    throw Error(describe_errno(call, err) + (err == EACCES || err == EPERM
                                                 ? ": no permission to create files in " + folder
                                                 : std::string()));
  }
  SharedFile file(fd);
  // A umask can take bits away from 0600, never add them: make sure it is exactly 0600.
  if (::fchmod(fd, kMode) != 0) throw Error(describe_errno("fchmod(0600)", errno));
  if (inject_call_fault("ftruncate") || ::ftruncate(fd, static_cast<off_t>(bytes)) != 0) {
    const int err = errno;
    if (huge && (err == ENOMEM || err == EINVAL)) {
      throw UsageError(
          describe_errno("ftruncate(" + std::to_string(bytes) + ") on hugetlbfs", err) +
          ": not enough huge pages (HugePages_Free = " + std::to_string(huge_pages_free()) +
          "), and " +
          (need.total() ? need.needs("the shared memory", bytes)
                        : "this needs " + human_bytes(static_cast<double>(bytes))) +
          ": reserve them with 'sysctl -w vm.nr_hugepages=N', or " +
          use(plus(huge_pages_free() > 0 ? need.fixes(static_cast<double>(huge_pages_free()) *
                                                      static_cast<double>(huge_page_size()))
                                         : std::vector<std::string>{},
                   {"--pages small or thp"})));
    }
    throw Error(describe_errno("ftruncate(" + std::to_string(bytes) + ")", err));
  }
  // The pages are taken by their first writer (share_array), where its node and the policy put
  // them: posix_fallocate here would put every page on the leader's node before any policy.
  return file;
}

SharedFile SharedFile::open_leaders(pid_t leader, int leader_fd, std::size_t bytes) {
  const std::string path = "/proc/" + std::to_string(leader) + "/fd/" + std::to_string(leader_fd);
  const int fd = inject_call_fault("shm_open") ? -1 : ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw Error(describe_errno("open(" + path + ", O_RDWR)", err) +
                ": the node leader's shared memory could not be opened (another user, or "
                "/proc mounted with hidepid?)");
  }
  SharedFile file(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw Error(describe_errno("fstat(" + path + ")", errno));
  const uid_t me = ::geteuid();
  if (st.st_uid != me || (st.st_mode & 0777) != kMode ||
      static_cast<std::size_t>(st.st_size) < bytes) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw Error("the shared file " + path + " is not the one shmcount created (owner uid " +
                std::to_string(st.st_uid) + ", mode " + mode + ", " + std::to_string(st.st_size) +
                " bytes; expected uid " + std::to_string(me) + ", mode 0600, at least " +
                std::to_string(bytes) + " bytes): refusing it");
  }
  return file;
}

SharedFile::SharedFile(SharedFile&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

SharedFile::~SharedFile() {
  if (fd_ >= 0) ::close(fd_);
}

FileMapping FileMapping::map(int fd, std::size_t bytes) {
  void* data = inject_call_fault("mmap")
                   ? MAP_FAILED
                   : ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) {
    throw Error(describe_errno("mmap(" + std::to_string(bytes) + " bytes, MAP_SHARED)", errno));
  }
  return FileMapping(data, bytes);
}

FileMapping::FileMapping(FileMapping&& other) noexcept : data_(other.data_), bytes_(other.bytes_) {
  other.data_ = nullptr;
}

FileMapping::~FileMapping() {
  if (data_) ::munmap(data_, bytes_);
}

}  // namespace shmcount
