#include "mpi_job.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "common/fatal_signal.hpp"
#include "common/fault.hpp"
#include "common/text.hpp"
#include "runners/launcher.hpp"

namespace shmcount {

void report_error(int world_rank, const std::string& host, const std::string& message) {
  if (world_rank == 0) {
    std::fprintf(stderr, "shmcount: %s\n", printable(message).c_str());
  } else {
    std::fprintf(stderr, "shmcount: rank %d on %s: %s\n", world_rank, printable(host).c_str(),
                 printable(message).c_str());
  }
  std::fflush(stderr);
}

MpiJob::MpiJob(int* argc, char*** argv) {
  choose_mpi_settings();
  MPI_Init(argc, argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world_rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &node_rank);
  MPI_Comm_size(node, &node_size);
  // Leaders form their own communicator; a node's index is its leader's rank there, so node 0
  // is world rank 0's node.
  MPI_Comm leaders = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, node_rank == 0 ? 0 : MPI_UNDEFINED, world_rank, &leaders);
  if (leaders != MPI_COMM_NULL) {
    MPI_Comm_rank(leaders, &node_index);
    MPI_Comm_size(leaders, &node_count);
    MPI_Comm_free(&leaders);
  }
  MPI_Bcast(&node_index, 1, MPI_INT, 0, node);
  MPI_Bcast(&node_count, 1, MPI_INT, 0, MPI_COMM_WORLD);
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  host = name;
  // A rank that must end the job from a signal handler does it through the launcher.
  set_job_ender([](int status) { MPI_Abort(MPI_COMM_WORLD, status); });
}

MpiJob::~MpiJob() {
  set_job_ender(nullptr);  // Past MPI_Finalize a signal handler can only exit.
  if (node != MPI_COMM_NULL) MPI_Comm_free(&node);
  MPI_Finalize();
}

void MpiJob::agree(const std::string& local_message, int local_code) const {
  // The lowest failing rank and its exit status (MPI_MINLOC keeps the pair together).
  struct {
    int rank;
    int code;
  } mine{local_message.empty() ? INT_MAX : world_rank, local_code}, first{INT_MAX, 0};
  MPI_Allreduce(&mine, &first, 1, MPI_2INT, MPI_MINLOC, MPI_COMM_WORLD);
  if (first.rank == INT_MAX) return;
  if (first.rank == world_rank) report_error(world_rank, host, local_message);
  // Nobody exits before the message is out: a rank that ends early makes the launcher tear the
  // job down, and the message could be lost with it.
  MPI_Barrier(MPI_COMM_WORLD);
  throw JobFailed{first.code};
}

std::vector<std::string> MpiJob::gather_strings(const std::string& mine) const {
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(world_rank == 0 ? world_size : 0);
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size(), 0);
  int total = 0;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    offsets[i] = total;
    total += lengths[i];
  }
  std::string all(static_cast<std::size_t>(total), '\0');
  MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
              0, MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < lengths.size(); ++i)
    out.push_back(all.substr(offsets[i], lengths[i]));
  return out;
}

std::vector<std::string> MpiJob::node_allgather_strings(const std::string& mine) const {
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(node_size));
  MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, node);
  std::vector<int> offsets(lengths.size(), 0);
  int total = 0;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    offsets[i] = total;
    total += lengths[i];
  }
  std::string all(static_cast<std::size_t>(total), '\0');
  MPI_Allgatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                 MPI_CHAR, node);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < lengths.size(); ++i)
    out.push_back(all.substr(offsets[i], lengths[i]));
  return out;
}

void MpiJob::quiet_barrier() const {
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  int done = 0;
  for (MPI_Test(&request, &done, MPI_STATUS_IGNORE); !done;
       MPI_Test(&request, &done, MPI_STATUS_IGNORE)) {
    const timespec pause{0, 1'000'000};
    nanosleep(&pause, nullptr);
  }
}

std::string MpiJob::broadcast_string(const std::string& from_rank0) const {
  int length = static_cast<int>(from_rank0.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string out =
      world_rank == 0 ? from_rank0 : std::string(static_cast<std::size_t>(length), '\0');
  MPI_Bcast(out.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
  return out;
}

}  // namespace shmcount

namespace shmcount {

std::string MpiNodeGroup::from_leader(const std::string& bytes) const {
  int length = static_cast<int>(bytes.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, job_.node);
  std::string out = job_.is_leader() ? bytes : std::string(static_cast<std::size_t>(length), '\0');
  MPI_Bcast(out.data(), length, MPI_CHAR, 0, job_.node);
  return out;
}

void MpiNodeGroup::barrier() const {
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Ibarrier(job_.node, &request);
  int done = 0;
  for (MPI_Test(&request, &done, MPI_STATUS_IGNORE); !done;
       MPI_Test(&request, &done, MPI_STATUS_IGNORE)) {
    const timespec pause{0, 1'000'000};
    nanosleep(&pause, nullptr);
  }
}

namespace {

// Open MPI's backing files of this job's shared windows, removed (they are the user's own; only
// the ones named after this host and this job): "; removed /dev/shm/osc_sm...", or "".
std::string remove_window_files() {
  const char* jobid = std::getenv("OMPI_MCA_ess_base_jobid");
  if (!jobid) return "";
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  char prefix[320];
  std::snprintf(prefix, sizeof prefix, "osc_sm.%s.%lx.", host, std::strtoul(jobid, nullptr, 10));
  const char* env = std::getenv("OMPI_MCA_osc_sm_backing_directory");
  const std::string folder = env && *env ? env : "/dev/shm";
  std::string removed;
  if (DIR* dir = ::opendir(folder.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      if (std::strncmp(entry->d_name, prefix, std::strlen(prefix)) != 0) continue;
      const std::string path = folder + "/" + entry->d_name;
      struct stat st {};
      if (::lstat(path.c_str(), &st) == 0 && st.st_uid == ::geteuid() &&
          ::unlink(path.c_str()) == 0)
        removed += (removed.empty() ? "" : ", ") + path;
    }
    ::closedir(dir);
  }
  return removed.empty() ? "" : "; removed its backing file " + removed;
}

}  // namespace

WindowMemory MpiNodeGroup::allocate_window(std::size_t bytes) const {
  // Errors come back as codes (not the default abort), so every rank can agree and stop cleanly.
  MPI_Comm_set_errhandler(job_.node, MPI_ERRORS_RETURN);
  auto* win = new MPI_Win(MPI_WIN_NULL);
  void* mine = nullptr;
  const MPI_Aint size = job_.is_leader() ? static_cast<MPI_Aint>(bytes) : 0;
  const int rc = inject_call_fault("win_allocate")
                     ? MPI_ERR_NO_MEM
                     : MPI_Win_allocate_shared(size, sizeof(std::int32_t), MPI_INFO_NULL, job_.node,
                                               &mine, win);
  WindowMemory out;
  if (rc != MPI_SUCCESS) {
    // The library failed on this rank inside a collective call, and the node's other ranks may
    // still wait in it (Open MPI 4.1 does): nobody can agree any more. Say why once, remove the
    // window's backing file if the library left one, and end the job.
    char text[MPI_MAX_ERROR_STRING] = {};
    int length = 0;
    MPI_Error_string(rc, text, &length);
    report_error(job_.world_rank, job_.host,
                 "MPI_Win_allocate_shared(" + std::to_string(bytes) + " bytes) failed on this " +
                     "rank: " + std::string(text, static_cast<std::size_t>(length)) +
                     remove_window_files() +
                     "; the job is ended (--share sysv or posix need no "
                     "MPI window)");
    MPI_Abort(MPI_COMM_WORLD, kExitFailure);
  }
  MPI_Aint leader_size = 0;
  int unit = 0;
  MPI_Win_shared_query(*win, 0, &leader_size, &unit, &out.base);
  out.bytes = static_cast<std::size_t>(leader_size);
  out.free = [win] {
    MPI_Win_free(win);
    delete win;
  };
  return out;
}

}  // namespace shmcount
