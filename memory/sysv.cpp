#include "sysv.hpp"

#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include "common/error.hpp"
#include "common/fault.hpp"
#include "memory/pages.hpp"

namespace shmcount {
namespace {

constexpr int kMode = 0600;

std::string octal_mode(unsigned mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

// `need`, or the bare array of `bytes` when the caller said nothing about it.
SizeNeed or_array(const SizeNeed& need, std::size_t bytes) {
  if (need.total() > 0) return need;
  SizeNeed array;
  array.array_bytes = bytes;
  return array;
}

}  // namespace

std::string kernel_limit(const char* name) {
  std::ifstream in(std::string("/proc/sys/kernel/") + name);
  std::string value;
  return (in >> value) ? value : "unknown";
}

std::string huge_page_hint(int err, std::size_t bytes, int copies, const SizeNeed& need) {
  const std::size_t page = huge_page_size();
  const std::size_t pages = page ? (bytes + page - 1) / page : 0;
  std::string count =
      page ? std::to_string(pages) + " huge page(s) of " + std::to_string(page >> 10) + " KiB"
           : "huge pages";
  if (page && copies > 1) {
    count += " per rank, " + std::to_string(pages * static_cast<std::size_t>(copies)) +
             " for the node's " + std::to_string(copies) + " private copies";
  }
  const SizeNeed what = or_array(need, bytes);
  switch (err) {
    case ENOMEM: {
      const double room = static_cast<double>(huge_pages_free()) * static_cast<double>(page);
      return "not enough huge pages free (HugePages_Free = " + std::to_string(huge_pages_free()) +
             ", this needs " + count + "; " +
             what.needs("the shared memory", bytes * static_cast<std::size_t>(copies)) +
             "): reserve them with 'sysctl -w vm.nr_hugepages=N' (as root), or " +
             // With none free no smaller run fits: only the page size is an option then.
             use(plus(room > 0 ? what.fixes(room) : std::vector<std::string>{},
                      {"--pages small or thp"}));
    }
    case EPERM:
      return "this user may not use huge pages for System V segments: add its group to "
             "vm.hugetlb_shm_group (sysctl), or use --pages small or thp";
    default:
      return "the kernel refused huge pages of " + count + " (is the huge page size right?)";
  }
}

namespace {

// The System V shared memory of this IPC namespace in use now (/proc/sysvipc/shm): segments, and
// their bytes.
std::pair<long, double> segments_in_use() {
  std::ifstream in("/proc/sysvipc/shm");
  std::string line;
  std::getline(in, line);  // The header.
  long segments = 0;
  double bytes = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    long key = 0, id = 0, perms = 0;
    double size = 0;
    if (fields >> key >> id >> perms >> size) {
      ++segments;
      bytes += size;
    }
  }
  return {segments, bytes};
}

double number_or(const std::string& text, double otherwise) {
  try {
    return std::stod(text);
  } catch (...) {
    return otherwise;
  }
}

}  // namespace

std::string shm_hint(const std::string& call, int err, std::size_t bytes, const SizeNeed& need) {
  const std::string size = std::to_string(bytes) + " bytes";
  const SizeNeed what = or_array(need, bytes);
  if (call == "shmget") {
    switch (err) {
      case EINVAL: {
        const std::string shmmax = kernel_limit("shmmax");
        return "the size (" + size + ") is outside [SHMMIN, SHMMAX]; kernel.shmmax is " + shmmax +
               " bytes, and " + what.needs("the segment", bytes) + ": " +
               use(plus(what.fixes(number_or(shmmax, 0)),
                        {"a larger kernel.shmmax (sysctl -w kernel.shmmax=BYTES)"}));
      }
      case ENOSPC: {
        // No ids left, or kernel.shmall (pages, for all segments together) would be passed.
        const auto [segments, in_use] = segments_in_use();
        const std::string shmall = kernel_limit("shmall");
        const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
        const double room = number_or(shmall, 0) * page - in_use;
        if (static_cast<double>(segments) < number_or(kernel_limit("shmmni"), 1e18) &&
            room < static_cast<double>(bytes)) {
          return "this is not disk space: kernel.shmall (" + shmall + " pages, " +
                 human_bytes(number_or(shmall, 0) * page) + " for all segments) leaves " +
                 human_bytes(std::max(room, 0.0)) + " with " + std::to_string(segments) +
                 " segment(s) in use (ipcs -m), and " + what.needs("the segment", bytes) + ": " +
                 use(plus(what.fixes(room),
                          {"a larger kernel.shmall (sysctl -w kernel.shmall=PAGES)"}));
        }
        return "this is not disk space: all segment ids are taken (kernel.shmmni = " +
               kernel_limit("shmmni") + ") or the total would pass kernel.shmall (" + shmall +
               " pages); see 'ipcs -m', remove stale segments with ipcrm, or raise the sysctl";
      }
      case ENOMEM:
        return "not enough memory: " + what.needs("the segment", bytes) + "; " + use(what.fixes());
      case EACCES:
      case EPERM:
        return "no permission to create shared memory (a seccomp or container policy?)";
      default:
        return "";
    }
  }
  switch (err) {
    case EACCES:
    case EPERM:
      return "the segment belongs to another user or has other permissions";
    case EINVAL:
    case EIDRM:
      return "the segment no longer exists (removed by someone else, or a bad id)";
    case ENOMEM:
      return "not enough memory to map " + size;
    default:
      return "";
  }
}

CreatedSegment CreatedSegment::create(std::size_t bytes, bool huge_pages, const SizeNeed& need) {
  const int flags = IPC_CREAT | IPC_EXCL | kMode | (huge_pages ? SHM_HUGETLB : 0);
  const int id = inject_call_fault("shmget") ? -1 : ::shmget(IPC_PRIVATE, bytes, flags);
  if (id == -1) {
    const int err = errno;
    const std::string call = "shmget(IPC_PRIVATE, " + std::to_string(bytes) +
                             ", IPC_CREAT|IPC_EXCL|" + (huge_pages ? "SHM_HUGETLB|" : "") + "0600)";
    if (huge_pages && (err == ENOMEM || err == EPERM || err == EINVAL)) {
      throw UsageError(describe_errno(call, err) + ": " + huge_page_hint(err, bytes, 1, need));
    }
    const std::string message =
        describe_errno(call, err) + ": " + shm_hint("shmget", err, bytes, need);
    // A size above kernel.shmmax or no ids left: fixed by a smaller --size or a sysctl.
    if (err == EINVAL || err == ENOSPC) throw UsageError(message);
    throw Error(message);
  }
  return CreatedSegment(id);
}

CreatedSegment::CreatedSegment(CreatedSegment&& other) noexcept
    : id_(other.id_), marked_(other.marked_) {
  other.marked_ = true;
}

CreatedSegment::~CreatedSegment() {
  if (!marked_ && ::shmctl(id_, IPC_RMID, nullptr) != 0) {
    std::fprintf(stderr, "shmcount: could not remove segment %d: remove it with 'ipcrm -m %d'\n",
                 id_, id_);
  }
}

void CreatedSegment::mark_for_removal() {
  if (inject_call_fault("shmctl") || ::shmctl(id_, IPC_RMID, nullptr) != 0) {
    const int err = errno;
    throw Error(describe_errno("shmctl(" + std::to_string(id_) + ", IPC_RMID)", err) + ": " +
                shm_hint("shmctl", err, 0));
  }
  marked_ = true;
}

Attachment Attachment::attach(int id, std::size_t bytes) {
  void* addr = inject_call_fault("shmat") ? reinterpret_cast<void*>(-1) : ::shmat(id, nullptr, 0);
  if (addr == reinterpret_cast<void*>(-1)) {
    const int err = errno;
    throw Error(describe_errno("shmat(" + std::to_string(id) + ", NULL, 0)", err) + ": " +
                shm_hint("shmat", err, bytes));
  }
  Attachment attachment(addr, bytes);  // Detaches if a check below throws.
  struct shmid_ds ds {};
  if (::shmctl(id, IPC_STAT, &ds) != 0) {
    const int err = errno;
    throw Error(describe_errno("shmctl(" + std::to_string(id) + ", IPC_STAT)", err));
  }
  const uid_t me = ::geteuid();
  const unsigned mode = ds.shm_perm.mode & 0777;
  if (ds.shm_perm.uid != me || ds.shm_perm.cuid != me || mode != kMode || ds.shm_segsz < bytes) {
    throw Error("segment " + std::to_string(id) + " is not the one shmcount created (owner uid " +
                std::to_string(ds.shm_perm.uid) + ", creator uid " +
                std::to_string(ds.shm_perm.cuid) + ", mode " + octal_mode(mode) + ", " +
                std::to_string(ds.shm_segsz) + " bytes; expected uid " + std::to_string(me) +
                ", mode 0600, at least " + std::to_string(bytes) + " bytes): refusing it");
  }
  return attachment;
}

Attachment::Attachment(Attachment&& other) noexcept : addr_(other.addr_), bytes_(other.bytes_) {
  other.addr_ = nullptr;
}

Attachment::~Attachment() {
  if (addr_) ::shmdt(addr_);
}

}  // namespace shmcount
