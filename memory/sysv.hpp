// A private System V segment: created by one process, attached by the ranks of its node, marked
// for removal at once so that no exit, not even kill -9, can leak it (shared/guide/shm-lifecycle).
//
// Every system call goes through inject_call_fault() first, the seam the fault suite uses.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "memory/need.hpp"

namespace shmcount {

// The segment a node leader created. Move-only; removes the segment on destruction unless
// mark_for_removal() already did.
class CreatedSegment {
 public:
  // shmget(IPC_PRIVATE, bytes, IPC_CREAT | IPC_EXCL | 0600), with SHM_HUGETLB for huge pages
  // (bytes then a multiple of the huge page size). Throws Error with the call, its arguments and
  // a hint naming the kernel limit (kernel.shmmax, shmmni, shmall; vm.nr_hugepages) on failure;
  // UsageError when the user can fix it (a smaller size, a sysctl), naming what `need` says the
  // bytes are (the array, the count tables) and the option that makes them fit.
  static CreatedSegment create(std::size_t bytes, bool huge_pages = false,
                               const SizeNeed& need = {});

  CreatedSegment(CreatedSegment&& other) noexcept;
  CreatedSegment& operator=(CreatedSegment&&) = delete;
  ~CreatedSegment();

  int id() const { return id_; }
  // shmctl(IPC_RMID): the segment goes when the last process detaches. Linux lets processes
  // still attach a marked segment (shmctl(2)), which the other ranks of the node rely on.
  void mark_for_removal();

 private:
  explicit CreatedSegment(int id) : id_(id) {}
  int id_;
  bool marked_ = false;
};

// One process's mapping of a segment. Move-only; detaches on destruction.
class Attachment {
 public:
  // shmat(id) then IPC_STAT: refuses a segment not owned and created by this user, whose mode is
  // not 0600, or that is smaller than `bytes`.
  static Attachment attach(int id, std::size_t bytes);

  Attachment(Attachment&& other) noexcept;
  Attachment& operator=(Attachment&&) = delete;
  ~Attachment();

  void* data() const { return addr_; }
  std::size_t bytes() const { return bytes_; }

 private:
  Attachment(void* addr, std::size_t bytes) : addr_(addr), bytes_(bytes) {}
  void* addr_;
  std::size_t bytes_;
};

// What to do when the kernel refuses huge pages for `bytes` with `err`: names vm.nr_hugepages, how
// many pages are free, what `need` says needs them and the options that make it smaller.
// `copies` private copies of `bytes` each are needed on the node.
std::string huge_page_hint(int err, std::size_t bytes, int copies = 1, const SizeNeed& need = {});

// The hint PostgreSQL-style for a failed call (e.g. which sysctl to raise); empty if none. For
// shmget, what `need` says the bytes are and the option that makes them fit.
std::string shm_hint(const std::string& call, int err, std::size_t bytes,
                     const SizeNeed& need = {});

// A kernel.shm* limit from /proc/sys/kernel, or "unknown".
std::string kernel_limit(const char* name);

}  // namespace shmcount
