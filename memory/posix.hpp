// POSIX shared memory for one node: a file the node leader creates with shm_open() in /dev/shm
// (tmpfs), or on hugetlbfs for huge pages, with a random name, O_CREAT|O_EXCL and mode 0600.
// The name is removed right after creation, before anything else happens, so no exit — not even
// kill -9 — can leave the file behind; the node's other ranks open the same file through the
// leader's descriptor (/proc/<pid>/fd/<fd>), which only its owner may do.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "memory/need.hpp"

namespace shmcount {

// An open shared-memory file. Move-only; closes the descriptor on destruction.
class SharedFile {
 public:
  // The leader: creates, unlinks and sizes the file. `huge` puts it on a hugetlbfs mount (bytes
  // then a multiple of the huge page size). Checks the free space first. Throws UsageError
  // when the user can fix it (too little space in /dev/shm, no hugetlbfs), naming what `need`
  // says is too big and the option that fixes it, Error otherwise.
  static SharedFile create(std::size_t bytes, bool huge, const SizeNeed& need = {});
  // Another rank of the node: opens the leader's file through /proc/<pid>/fd/<fd> and refuses
  // one not owned by this user, whose mode is not 0600, or smaller than `bytes`.
  static SharedFile open_leaders(pid_t leader, int leader_fd, std::size_t bytes);

  SharedFile(SharedFile&& other) noexcept;
  SharedFile& operator=(SharedFile&&) = delete;
  ~SharedFile();

  int fd() const { return fd_; }

 private:
  explicit SharedFile(int fd) : fd_(fd) {}
  int fd_;
};

// A shared mapping of a file (mmap MAP_SHARED). Move-only; unmaps on destruction.
class FileMapping {
 public:
  static FileMapping map(int fd, std::size_t bytes);
  FileMapping(FileMapping&& other) noexcept;
  FileMapping& operator=(FileMapping&&) = delete;
  ~FileMapping();
  void* data() const { return data_; }

 private:
  FileMapping(void* data, std::size_t bytes) : data_(data), bytes_(bytes) {}
  void* data_;
  std::size_t bytes_;
};

// Where POSIX shared memory lives ("/dev/shm"), or the hugetlbfs mount for huge pages.
std::string shared_file_folder(bool huge);

// Throws UsageError unless `folder` has room for `bytes` (free huge pages, for hugetlbfs): tmpfs
// takes a file of any size and then kills the process with SIGBUS, and an MPI library that
// runs out of it inside a collective call can leave the other ranks waiting forever. The message
// names what `need` says needs the room (`container`, when it has several parts: the array, the
// count tables, the MPI library's) and the options that make it fit.
void check_space(const std::string& folder, std::size_t bytes, bool huge, const SizeNeed& need = {},
                 std::string_view container = "the shared memory");

}  // namespace shmcount
