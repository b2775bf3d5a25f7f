#include "mechanisms.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>

#include "common/error.hpp"
#include "common/fatal_signal.hpp"
#include "common/fault.hpp"
#include "common/table.hpp"
#include "common/wire.hpp"
#include "memory/posix.hpp"
#include "memory/sysv.hpp"

namespace shmcount {
namespace {

std::size_t page_bytes() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

// The whole pages that hold [data, data + bytes): mbind and madvise want page boundaries.
std::pair<void*, std::size_t> page_span(void* data, std::size_t bytes) {
  const std::size_t page = page_bytes();
  const auto start = reinterpret_cast<std::uintptr_t>(data) / page * page;
  const auto end = round_up(reinterpret_cast<std::uintptr_t>(data) + bytes, page);
  return {reinterpret_cast<void*>(start), end - start};
}

// Before anything touches the memory: the policy (once per shared object, or per private copy)
// and the transparent huge page advice (per mapping).
void prepare(const ShareRequest& request, void* data, std::size_t bytes, bool set_policy,
             bool shared_memory, Region& region) {
  const auto [start, length] = page_span(data, bytes);
  if (set_policy) apply_mempolicy(*request.topo, start, length, request.policy);
  if (request.pages == PageKind::kThp) {
    if (!thp_allows_advice(shared_memory)) {
      region.notes.push_back(
          std::string("--pages thp: transparent huge pages for ") +
          (shared_memory ? "shared memory are '" + thp_setting(true) +
                               "' (/sys/kernel/mm/transparent_hugepage/shmem_enabled)"
                         : "private memory are '" + thp_setting(false) +
                               "' (/sys/kernel/mm/transparent_hugepage/enabled)") +
          ", so madvise(MADV_HUGEPAGE) has no effect: echo advise there (as root) to allow it");
    }
    advise_huge_pages(start, length);
  }
}

// ---- System V: the seed's mechanism. ----
struct SysvOwner : RegionOwner {
  std::optional<CreatedSegment> created;  // Node leader only; marked for removal at once.
  std::optional<Attachment> attachment;
};

Region allocate_sysv(const NodeGroup& group, const ShareRequest& request) {
  Region region;
  auto owner = std::make_unique<SysvOwner>();
  const std::size_t bytes = mapped_bytes_for(request);
  const bool huge = request.pages == PageKind::kHuge;
  int id = -1;
  // The leader creates, attaches and marks the segment for removal before its id is shared
  // (Linux lets the others still attach it): from here no exit can leak it.
  group.all_or_none([&] {
    if (!group.is_leader()) return;
    owner->created.emplace(CreatedSegment::create(bytes, huge, need_of(request)));
    owner->attachment.emplace(Attachment::attach(owner->created->id(), bytes));
    owner->created->mark_for_removal();
    prepare(request, owner->attachment->data(), bytes, true, true, region);
    id = owner->created->id();
  });
  WireReader from(group.from_leader(WireWriter().put(id).bytes()));
  id = from.get<int>();
  group.all_or_none([&] {
    if (group.is_leader()) return;
    owner->attachment.emplace(Attachment::attach(id, bytes));
    prepare(request, owner->attachment->data(), bytes, false, true, region);
  });
  region.data = static_cast<std::int32_t*>(owner->attachment->data());
  region.mapped_bytes = bytes;
  region.owner = std::move(owner);
  return region;
}

// ---- POSIX: shm_open in /dev/shm, or a file on hugetlbfs for huge pages. ----
struct PosixOwner : RegionOwner {
  std::optional<SharedFile> file;  // The leader keeps it open while the others open it.
  std::optional<FileMapping> mapping;
};

Region allocate_posix(const NodeGroup& group, const ShareRequest& request) {
  Region region;
  auto owner = std::make_unique<PosixOwner>();
  const std::size_t bytes = mapped_bytes_for(request);
  const bool huge = request.pages == PageKind::kHuge;
  group.all_or_none([&] {
    if (!group.is_leader()) return;
    owner->file.emplace(SharedFile::create(bytes, huge, need_of(request)));
    owner->mapping.emplace(FileMapping::map(owner->file->fd(), bytes));
    prepare(request, owner->mapping->data(), bytes, true, !huge, region);
  });
  WireWriter mine;
  mine.put(static_cast<int>(::getpid())).put(group.is_leader() ? owner->file->fd() : -1);
  WireReader from(group.from_leader(mine.bytes()));
  const int leader_pid = from.get<int>();
  const int leader_fd = from.get<int>();
  group.all_or_none([&] {
    if (group.is_leader()) return;
    const SharedFile file = SharedFile::open_leaders(leader_pid, leader_fd, bytes);
    owner->mapping.emplace(FileMapping::map(file.fd(), bytes));
    prepare(request, owner->mapping->data(), bytes, false, !huge, region);
  });
  // Every rank has mapped it: the leader's descriptor is no longer needed.
  owner->file.reset();
  region.data = static_cast<std::int32_t*>(owner->mapping->data());
  region.mapped_bytes = bytes;
  region.owner = std::move(owner);
  return region;
}

// ---- MPI-3 shared window: the MPI library allocates and frees the node's memory. ----
// Where Open MPI backs the window: its osc_sm_backing_directory (MCA variable), /dev/shm unless
// set; MPICH backs it in /dev/shm too.
std::string window_backing_folder() {
  const char* folder = std::getenv("OMPI_MCA_osc_sm_backing_directory");
  return folder && *folder ? folder : "/dev/shm";
}

// What Open MPI 4.1's osc/sm adds to the window's bytes in its backing file: a global state and a
// state per rank (4,360 bytes for 2 ranks, measured), with room to spare.
std::size_t window_overhead(int ranks) {
  return (64u << 10) + (4u << 10) * static_cast<std::size_t>(ranks);
}

// A limit on the address space (ulimit -v) too small to map `bytes` more makes the library fail
// on that rank alone, inside the collective call: refuse it before.
void check_address_space(std::size_t bytes, const SizeNeed& need) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  statm >> pages;
  const double mapped = static_cast<double>(pages) * static_cast<double>(page_bytes()) +
                        static_cast<double>(bytes) + static_cast<double>(64u << 20);
  if (mapped > static_cast<double>(limit.rlim_cur)) {
    const double room = static_cast<double>(limit.rlim_cur) - (mapped - static_cast<double>(bytes));
    throw UsageError("the address space limit (ulimit -v: " + std::to_string(limit.rlim_cur >> 10) +
                     " KiB) leaves no room to map the window on this rank, and " +
                     need.needs("the window", bytes) + ": raise it (ulimit -v unlimited) or " +
                     use(need.fixes(room)));
  }
}
struct WindowOwner : RegionOwner {
  WindowMemory window;
  ~WindowOwner() override {
    if (window.free) window.free();  // Collective over the node: every rank gets here together.
  }
};

Region allocate_window(const NodeGroup& group, const ShareRequest& request) {
  Region region;
  auto owner = std::make_unique<WindowOwner>();
  const std::size_t bytes = mapped_bytes_for(request);
  // The MPI library backs the window with a file in /dev/shm (Open MPI's osc/sm, MPICH); when it
  // does not fit, Open MPI 4.1 fails on the leader inside the collective call and the other ranks
  // wait forever: find out first.
  group.all_or_none([&] {
    if (group.is_leader() && group.local_size() > 1) {
      SizeNeed need = need_of(request);
      need.other_bytes = window_overhead(group.local_size());
      need.other_what = "what the MPI library adds";
      check_space(window_backing_folder(), bytes + need.other_bytes, false, need, "the window");
    }
    check_address_space(bytes, need_of(request));  // Every rank maps the whole window.
  });
  owner->window = group.allocate_window(bytes);
  group.all_or_none([&] {
    if (group.is_leader()) prepare(request, owner->window.base, bytes, true, true, region);
  });
  group.barrier();  // The policy is set before any rank advises or touches.
  group.all_or_none([&] {
    if (!group.is_leader()) prepare(request, owner->window.base, bytes, false, true, region);
  });
  region.data = static_cast<std::int32_t*>(owner->window.base);
  region.mapped_bytes = bytes;
  region.owner = std::move(owner);
  return region;
}

// ---- A private copy per rank: the no-sharing baseline. ----
// The copy sits inside a larger inaccessible reservation, so that the kernel never merges its
// mapping with a neighbour's: smaps then describes the array alone (array_pss_kib).
struct PrivateOwner : RegionOwner {
  void* reservation = MAP_FAILED;
  std::size_t reserved = 0;
  ~PrivateOwner() override {
    if (reservation != MAP_FAILED) ::munmap(reservation, reserved);
  }
};

Region allocate_private(const NodeGroup& group, const ShareRequest& request) {
  Region region;
  auto owner = std::make_unique<PrivateOwner>();
  const std::size_t bytes = mapped_bytes_for(request);
  const bool huge = request.pages == PageKind::kHuge;
  group.all_or_none([&] {
    const std::size_t align = huge ? huge_page_size() : page_bytes();
    owner->reserved = bytes + 2 * align + page_bytes();
    owner->reservation = ::mmap(nullptr, owner->reserved, PROT_NONE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (owner->reservation == MAP_FAILED) {
      throw Error(
          describe_errno("mmap(" + std::to_string(owner->reserved) + " bytes, PROT_NONE)", errno));
    }
    const auto start =
        round_up(reinterpret_cast<std::uintptr_t>(owner->reservation) + page_bytes(), align);
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | (huge ? MAP_HUGETLB : 0);
    void* data = inject_call_fault("mmap") ? MAP_FAILED
                                           : ::mmap(reinterpret_cast<void*>(start), bytes,
                                                    PROT_READ | PROT_WRITE, flags, -1, 0);
    if (data == MAP_FAILED) {
      const int err = errno;
      const std::string call = "mmap(" + std::to_string(bytes) + " bytes, MAP_PRIVATE|" +
                               "MAP_ANONYMOUS" + (huge ? "|MAP_HUGETLB" : "") + ")";
      if (huge && err == ENOMEM) {
        throw UsageError(
            describe_errno(call, err) + ": " +
            huge_page_hint(err, bytes, group.local_size(), need_of(request, group.local_size())));
      }
      throw Error(describe_errno(call, err));
    }
    region.data = static_cast<std::int32_t*>(data);
    prepare(request, data, bytes, true, false, region);
  });
  region.mapped_bytes = bytes;
  region.owner = std::move(owner);
  return region;
}

constexpr std::array kMechanisms{
    Mechanism{"sysv",
              "System V shared memory (the seed's): shmget(IPC_PRIVATE, 0600), attached by the "
              "node's ranks, marked for removal before any rank sees its id",
              true, true, "", allocate_sysv},
    Mechanism{"posix",
              "POSIX shared memory: shm_open in /dev/shm (hugetlbfs for huge pages), 0600, "
              "unlinked at once; the node's ranks open it through the leader's descriptor",
              true, true, "", allocate_posix},
    Mechanism{"window",
              "an MPI-3 shared window: MPI_Win_allocate_shared on the node, "
              "MPI_Win_shared_query for the leader's base; the MPI library owns the memory",
              true, false,
              "the MPI library allocates the window itself and offers no huge-page option "
              "(Open MPI 4.1, MPICH 4.0): use --share sysv, posix or private with --pages huge, "
              "or --pages thp",
              allocate_window},
    Mechanism{"private",
              "no sharing: every rank its own anonymous copy, filled by itself (N times the "
              "memory, pages always local) - the baseline",
              false, true, "", allocate_private},
#ifdef SHMCOUNT_TEST_ENTRIES
#include "tests/extension/mechanism_entry.inc"
#endif
};

// While the array is written for the first time, a SIGBUS means that the file system behind the
// shared memory could not give a page (a tmpfs that filled up after the checks): one message and
// exit 1 instead of a crash. Nothing is left: every name was removed before the first touch.
class FirstTouchGuard {
 public:
  FirstTouchGuard(int local_rank, const SizeNeed& need) {
    message_ = "shmcount: local rank " + std::to_string(local_rank) +
               ": the shared memory could not be backed while the array was first written "
               "(SIGBUS): its file system (/dev/shm?) filled up, and " +
               need.needs() + "; " +
               use(plus(need.fixes(), {"--share sysv", "a larger /dev/shm"})) + "\n";
    struct sigaction action {};
    action.sa_handler = [](int) { end_job_from_signal(message_, kExitFailure); };
    action.sa_flags = kEndingHandlerFlags;
    ::sigaction(SIGBUS, &action, &previous_);
  }
  ~FirstTouchGuard() { ::sigaction(SIGBUS, &previous_, nullptr); }
  FirstTouchGuard(const FirstTouchGuard&) = delete;
  FirstTouchGuard& operator=(const FirstTouchGuard&) = delete;

 private:
  static inline std::string message_;
  struct sigaction previous_ {};
};

}  // namespace

std::span<const Mechanism> mechanism_table() { return kMechanisms; }

const Mechanism* find_mechanism(std::string_view name) { return find_entry(kMechanisms, name); }

std::size_t mapped_bytes_for(std::size_t elements, PageKind pages, std::size_t counts_bytes) {
  std::size_t bytes = std::max<std::size_t>(elements * sizeof(std::int32_t), 1);
  if (counts_bytes > 0) bytes = counts_offset(elements) + counts_bytes;
  if (pages != PageKind::kHuge) return bytes;
  const std::size_t huge = huge_page_size();
  return huge ? round_up(bytes, huge) : bytes;
}

std::size_t mapped_bytes_for(const ShareRequest& request) {
  return mapped_bytes_for(request.elements, request.pages, request.counts_bytes);
}

SizeNeed need_of(const ShareRequest& request, int copies) {
  SizeNeed need;
  need.elements = request.elements;
  need.copies = std::max(copies, 1);
  const std::size_t mapped = mapped_bytes_for(request);
  need.counts_bytes = request.counts_bytes;
  // The array's part: what is mapped less the counts (the array's page rounding is its own).
  need.array_bytes = mapped - request.counts_bytes;
  need.counts_mode = request.counts_mode;
  need.values = request.values;
  need.ranks = request.ranks;
  return need;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14.
#endif

// The first writer of a range takes its pages (madvise MADV_POPULATE_WRITE) before writing it:
// the pages land where that rank's node and the memory policy put them, and a file system
// without room for them is one message here instead of a SIGBUS. A kernel without the advice
// (before 5.14) leaves it to the writes, under FirstTouchGuard.
void take_pages(void* begin, std::size_t bytes, const std::string& what,
                const std::vector<std::string>& fixes) {
  if (bytes == 0) return;
  const std::size_t page = page_bytes();
  const auto start = reinterpret_cast<std::uintptr_t>(begin) / page * page;
  const auto end = round_up(reinterpret_cast<std::uintptr_t>(begin) + bytes, page);
  if (::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE) == 0) return;
  const int err = errno;
  if (err == EINVAL) return;
  if (err == EFAULT || err == ENOMEM || err == ENOSPC) {
    throw Error(
        describe_errno("madvise(" + std::to_string(end - start) + " bytes, MADV_POPULATE_WRITE)",
                       err) +
        ": no room for the pages of " + what + ", " + human_bytes(static_cast<double>(bytes)) +
        " (a full /dev/shm or hugetlbfs, or memory limits); " +
        use(plus(fixes, {"another --share"})));
  }
  throw Error(describe_errno("madvise(MADV_POPULATE_WRITE)", err));
}

std::size_t counts_offset(std::size_t elements) {
  return round_up(std::max<std::size_t>(elements * sizeof(std::int32_t), 1), page_bytes());
}

Region share_array(const NodeGroup& group, const Mechanism& mechanism, const ShareRequest& request,
                   const DataSpec& data) {
  Region region = mechanism.allocate(group, request);
  maybe_stall("allocated");  // The fault suite fills /dev/shm here, before the first touch.
  region.elements = request.elements;
  if (request.counts_bytes > 0) {
    region.counts = reinterpret_cast<std::uint64_t*>(reinterpret_cast<char*>(region.data) +
                                                     counts_offset(request.elements));
  }
  const std::size_t asked = request.counts_bytes > 0
                                ? counts_offset(request.elements) + request.counts_bytes
                                : request.elements * sizeof(std::int32_t);
  if (region.mapped_bytes > asked) {
    region.notes.push_back("--pages huge: the array's " + std::to_string(asked) +
                           " bytes were rounded up to " + std::to_string(region.mapped_bytes) +
                           " (whole " + std::to_string(huge_page_size() >> 10) +
                           " KiB huge pages)");
  }
  const std::span<std::int32_t> array = region.array();
  const SizeNeed need = need_of(request);
  const FirstTouchGuard guard(group.local_rank(), need);
  // Who writes which range first: the leader the counts, and the array (all of it, or a slice).
  const std::size_t n = array.size(), r = static_cast<std::size_t>(group.local_rank());
  const std::size_t size = static_cast<std::size_t>(group.local_size());
  const bool whole = !mechanism.shared || request.touch == TouchKind::kLeader;
  const std::size_t begin = whole ? 0 : n * r / size, end = whole ? n : n * (r + 1) / size;
  group.all_or_none([&] {
    if (request.counts_bytes > 0 && group.is_leader()) {
      take_pages(region.counts, request.counts_bytes,
                 "the count tables (--counts " + std::string(request.counts_mode) + ")",
                 need.counts_fixes());
    }
    if (!mechanism.shared || !whole || group.is_leader()) {
      take_pages(array.data() + begin, (end - begin) * sizeof(std::int32_t), "the array",
                 need.array_fixes());
    }
  });
  if (request.counts_bytes > 0 && group.is_leader()) {
    std::memset(region.counts, 0, request.counts_bytes);  // The counts' pages are taken now too.
  }
  if (!mechanism.shared) {
    fill(data, array);  // Each rank writes its own copy: its pages follow it.
    if (request.touch == TouchKind::kLeader) {
      region.notes.push_back("--touch leader: with private copies each rank wrote its own");
    }
  } else if (request.touch == TouchKind::kLeader) {
    if (group.is_leader()) fill(data, array);
  } else {
    fill_range(data, array, begin, end);
  }
  group.barrier();
  return region;
}

}  // namespace shmcount
