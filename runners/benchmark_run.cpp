// The benchmark run, in the order a reader would explain it: set up (plan, bind, check outputs),
// share the array (one segment per node), time the kernel in parallel and sequentially, gather
// the records to rank 0, and hand them to the sinks.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <random>

#include "common/fault.hpp"
#include "common/wire.hpp"
#include "kernels/dataset.hpp"
#include "memory/mechanisms.hpp"
#include "memory/probes.hpp"
#include "placement/binding.hpp"
#include "placement/disturbance.hpp"
#include "report/context.hpp"
#include "report/csv.hpp"
#include "report/output_files.hpp"
#include "report/summary.hpp"
#include "runners/commands.hpp"
#include "runners/launcher.hpp"
#include "runners/noise.hpp"
#include "runners/progress.hpp"
#include "runners/provenance.hpp"
#include "runners/run_phase.hpp"
#include "runners/watchdog.hpp"

namespace shmcount {
namespace {

// Whether the ranks' starting bindings are a choice to plan within (see available_pus()).
bool bindings_chosen() { return !under_launcher() || launcher_binding_requested(); }

constexpr const char* kResultsFolder = "results";

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A run id that sorts by time and never repeats: UTC time plus random bits.
std::string new_run_id() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%06x", std::random_device{}() & 0xffffff);
  return std::string(stamp) + suffix;
}

std::string json_path_for(const std::string& csv) {
  const std::string ext = ".csv";
  if (csv.size() > ext.size() && csv.compare(csv.size() - ext.size(), ext.size(), ext) == 0) {
    return csv.substr(0, csv.size() - ext.size()) + ".json";
  }
  return csv + ".json";
}

// Compares counts with the expected ones, filling the verdict fields of `record`.
void verify(std::span<const std::uint64_t> counts, const std::vector<std::uint64_t>& expected,
            Record& record) {
  for (std::size_t v = 0; v < counts.size(); ++v) {
    if (counts[v] != expected[v]) {
      record.ok = 0;
      record.bad_value = static_cast<std::int64_t>(v);
      record.bad_count = static_cast<std::int64_t>(counts[v]);
      record.expected_count = static_cast<std::int64_t>(expected[v]);
      return;
    }
  }
}

// The per-rank state of a run, built by the steps below in order.
struct RankState {
  std::optional<Topology> topo;
  std::string starting_binding;  // As the launcher started this rank (OS indices).
  std::string launcher_cpus;     // The CPUs of the process that started it.
  MachineView view;              // The node's PUs; usable: those the node's ranks started on.
  std::vector<Placement> plan;
  BindOutcome bound;
  PolicyPlan policy;                // --mempolicy resolved on this node.
  Region region;                    // The array.
  int sharers = 1;                  // Ranks that map it: the node's, or this one's own copy.
  std::vector<std::string> probes;  // This rank's value of every probe, in table order.
  std::vector<Record> records;
  std::string cpuset;          // The binding in force in the parallel phase, read back.
  int last_pu_index = -1;      // Index into view.pus of the PU this rank last ran on in parallel.
  std::string available_from;  // Why the usable PUs are what they are, for the summary.
  std::vector<std::pair<std::string, std::string>> noise_before;  // Node leaders only.
  std::string kernel_isa;  // The path the kernel dispatched to on this node.
  OutputFiles outputs;     // World rank 0 only: the result files, unnamed until written.
};

// Loads this machine's topology, refuses one that is not this machine, and reads the binding this
// rank started with. Local only: no MPI calls.
void look_at_machine(const Options& o, const MpiJob& job, RankState& s) {
  // Records reach rank 0 through MPI calls that count bytes in an int.
  const double record_bytes = static_cast<double>(o.reps) *
                              (job.world_size + (o.baseline ? job.node_count : 0)) * sizeof(Record);
  if (record_bytes > INT_MAX) {
    throw UsageError("--reps " + std::to_string(o.reps) + " with " +
                     std::to_string(job.world_size) +
                     " ranks makes more records than one gather carries (2 GiB); use at most "
                     "--reps " +
                     std::to_string(static_cast<long long>(
                         INT_MAX / ((job.world_size + job.node_count) * sizeof(Record)))));
  }
  for (const char* name : {"HWLOC_XMLFILE", "HWLOC_SYNTHETIC", "HWLOC_FSROOT"}) {
    if (const char* value = std::getenv(name); value && *value) {
      throw UsageError(std::string(name) +
                       " is set: hwloc would describe another machine than "
                       "this one, and binding there would be a lie; unset it, or use --plan "
                       "--topology to plan for that machine");
    }
  }
  s.topo.emplace(Topology::this_system());
  if (!s.topo->is_this_system()) {
    throw UsageError(
        "hwloc is not reading this machine (is HWLOC_XMLFILE or HWLOC_SYNTHETIC set?); "
        "binding there would be a lie: unset it, or use --plan --topology");
  }
  if (const std::string why = s.topo->differs_from_os(); !why.empty()) {
    throw UsageError("hwloc's topology is not this machine: " + why +
                     " (HWLOC_XMLFILE with HWLOC_THISSYSTEM=1?); binding there would be a lie: "
                     "unset them, or use --plan --topology");
  }
  s.starting_binding = starting_binding(*s.topo);
  s.launcher_cpus = launcher_cpus(*s.topo);
}

// Plans this node over the PUs its ranks may use (available_pus() of their starting bindings and
// their launchers' CPUs, within what hwloc allows) and binds this rank; rank 0 also creates the
// (unnamed) result files, so that whatever would make writing them fail is found now. Local
// only: no MPI calls.
void set_up(const Options& o, const MpiJob& job, const std::vector<std::string>& node_bindings,
            const std::vector<std::string>& node_launchers, const std::string& csv,
            const std::string& json, RankState& s) {
  const Availability available = available_pus(node_bindings, node_launchers, bindings_chosen());
  s.view = s.topo->view(available.set.get());
  s.available_from = s.view.restricted() ? available.from : "the whole node";
  s.plan = plan_placement(s.view, job.node_size, o.pin);
  s.bound = apply_placement(*s.topo, s.view, s.starting_binding, o.pin,
                            s.plan[static_cast<std::size_t>(job.node_rank)]);
  if (job.world_rank == 0) {
    s.outputs = OutputFiles::prepare(csv, json, o.output.empty() ? kResultsFolder : "");
  }
  s.policy = plan_mempolicy(*s.topo, o.mempolicy);
  if (o.pages == PageKind::kHuge && huge_page_size() == 0) {
    throw UsageError(
        "--pages huge: this kernel has no huge pages (no Hugepagesize in "
        "/proc/meminfo); use --pages small or thp");
  }
  if (job.is_leader()) {
    // A private copy per rank takes the array's memory once per rank.
    const int copies = o.share->shared ? 1 : job.node_size;
    const double bytes = static_cast<double>(mapped_bytes_for(o.data.size, o.pages)) * copies;
    const double memory =
        static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
    if (bytes > 0.8 * memory) {
      throw UsageError("--size " + std::to_string(o.data.size) + " needs " +
                       std::to_string(static_cast<long long>(bytes)) + " bytes of memory" +
                       (copies > 1 ? " (" + std::to_string(copies) + " private copies)" : "") +
                       ", more than 80% of this node's " +
                       std::to_string(static_cast<long long>(memory)) +
                       " bytes; use a smaller --size");
    }
  }
}

// The array, once per node (or once per rank with a private copy), with the mechanism --share
// names, written for the first time as --touch says. Every shared mechanism removes its name
// (IPC_RMID, unlink) before any kernel runs, so after this no exit can leak it.
void share_array(const Options& o, const MpiJob& job, RankState& s) {
  maybe_stall("start");
  ShareRequest request;
  request.elements = o.data.size;
  request.pages = o.pages;
  request.touch = o.touch;
  request.policy = s.policy;
  request.topo = &*s.topo;
  const MpiNodeGroup group(job);
  s.region = share_array(group, *o.share, request, o.data);
  s.sharers = o.share->shared ? job.node_size : 1;
  job.all_or_none([&] { maybe_stall("attached"); });
}

// Every probe of the memory, on this rank (after the parallel phase: every page is mapped).
std::vector<std::string> take_probes(const RankState& s) {
  ProbeContext context;
  context.topo = &*s.topo;
  context.data = s.region.data;
  context.bytes = s.region.elements * sizeof(std::int32_t);
  context.sharers = s.sharers;
  context.numa =
      s.last_pu_index >= 0 ? s.view.pus[static_cast<std::size_t>(s.last_pu_index)].numa : -1;
  std::vector<std::string> values;
  for (const auto& probe : probe_table()) values.push_back(probe.take(context));
  return values;
}

Record base_record(const MpiJob& job, const RankState& s, Phase phase, std::int64_t rep) {
  Record r;
  r.phase = phase;
  r.rank = job.world_rank;
  r.node = job.node_index;
  r.local_rank = job.node_rank;
  r.rep = rep;
  const Placement& p = s.plan[static_cast<std::size_t>(job.node_rank)];
  r.planned_pu = p.planned_pu;
  r.oversubscribed = p.oversubscribed ? 1 : 0;
  r.rebound = s.bound.rebound ? 1 : 0;
  return r;
}

// What took the PU from this rank since `before` (right before the timed kernel), and whether
// that disturbed the repetition.
void note_disturbance(const DisturbanceReading& before, Record& r) {
  r.disturbance = disturbance_delta(before, read_disturbance(), r.time_ns);
  r.disturbed = is_disturbed(r.disturbance, r.time_ns, r.oversubscribed != 0, r.planned_pu >= 0);
}

// Fills the placement fields of `r` from where this thread last ran; in the parallel phase also
// what the placement picture and the cpuset column show.
void record_where(RankState& s, Record& r) {
  const WhereRan where = read_back(*s.topo, s.view);
  if (r.phase == Phase::kParallel) {
    s.cpuset = where.cpuset;
    const PuInfo* pu = s.view.find_logical(where.pu.pu_logical);
    s.last_pu_index = pu ? static_cast<int>(pu - s.view.pus.data()) : -1;
  }
  r.pu_logical = where.pu.pu_logical;
  r.pu_os = where.pu.pu_os;
  r.core = where.pu.core;
  r.numa = where.pu.numa;
  r.package = where.pu.package;
  r.placed_ok = r.planned_pu >= 0 ? r.pu_logical == r.planned_pu : r.pu_logical >= 0;
}

// Warm-ups, then timed repetitions that every rank starts together after a barrier.
void time_parallel(const Options& o, const MpiJob& job, RankState& s,
                   std::span<const std::int32_t> data, const std::vector<std::uint64_t>& expected) {
  std::vector<std::uint64_t> counts(o.data.values);
  const bool miscount =
      process_fault().what == "miscount" && process_fault().targets(job.world_rank);
  // Ranks that finish early wait asleep (quiet_barrier), so they leave the cores to the ranks
  // still counting; the MPI_Barrier after it then lines up the start.
  for (std::uint64_t w = 0; w < o.warmup; ++w) {
    note_phase(RunPhase::kWarmUp, w, o.warmup);
    job.quiet_barrier();
    MPI_Barrier(MPI_COMM_WORLD);
    o.kernel->fn(data, counts);
  }
  for (std::uint64_t rep = 0; rep < o.reps; ++rep) {
    note_phase(RunPhase::kParallel, rep, o.reps);
    Record r = base_record(job, s, Phase::kParallel, static_cast<std::int64_t>(rep));
    job.quiet_barrier();
    MPI_Barrier(MPI_COMM_WORLD);
    if (rep == 0) maybe_stall("kernel");
    const DisturbanceReading before = read_disturbance();
    r.start_ns = monotonic_ns();
    if (rep == 0) maybe_stall("timed");  // A rank paused inside the timed region.
    o.kernel->fn(data, counts);
    r.time_ns = monotonic_ns() - r.start_ns;
    note_disturbance(before, r);
    record_where(s, r);
    if (miscount) counts[0] += 1;
    verify(counts, expected, r);
    s.records.push_back(r);
  }
}

// The node leader's part of the sequential baseline: W warm-ups, then R repetitions of the
// node's units back to back.
void lead_sequential(const Options& o, const MpiJob& job, RankState& s,
                     std::span<const std::int32_t> data,
                     const std::vector<std::uint64_t>& expected) {
  std::vector<std::uint64_t> counts(o.data.values);
  for (std::uint64_t w = 0; w < o.warmup; ++w) {
    for (int u = 0; u < job.node_size; ++u) o.kernel->fn(data, counts);
  }
  for (std::uint64_t rep = 0; rep < o.reps; ++rep) {
    note_phase(RunPhase::kSequential, rep, o.reps);
    Record r = base_record(job, s, Phase::kSequential, static_cast<std::int64_t>(rep));
    r.units = job.node_size;
    const DisturbanceReading before = read_disturbance();
    for (int u = 0; u < job.node_size; ++u) {
      const std::int64_t t0 = monotonic_ns();
      if (u == 0) r.start_ns = t0;
      o.kernel->fn(data, counts);
      r.time_ns += monotonic_ns() - t0;
      if (r.ok) verify(counts, expected, r);
    }
    r.oversubscribed = 0;  // One process runs alone in this phase.
    note_disturbance(before, r);
    record_where(s, r);
    s.records.push_back(r);
  }
}

// The article's other column: the node leader does every unit of its node back to back while
// the other ranks wait asleep. Only kernel calls are timed; each unit's counts are verified
// between them.
void time_sequential(const Options& o, const MpiJob& job, RankState& s,
                     std::span<const std::int32_t> data,
                     const std::vector<std::uint64_t>& expected) {
  job.quiet_barrier();
  if (job.is_leader()) lead_sequential(o, job, s, data, expected);
  job.quiet_barrier();
}

// A node's description travels length-prefixed: no byte of a host name or CPU model can shift
// the fields after it.
std::string encode_node(const MpiJob& job, const RankState& s) {
  std::vector<int> pu_of_rank(job.is_leader() ? job.node_size : 0);
  MPI_Gather(&s.last_pu_index, 1, MPI_INT, pu_of_rank.data(), 1, MPI_INT, 0, job.node);
  if (!job.is_leader()) return "";
  std::vector<std::vector<int>> ranks_by_pu(s.view.pus.size());
  std::vector<int> used_pus;  // OS indices, for the clock readings.
  for (int r = 0; r < job.node_size; ++r) {
    if (pu_of_rank[r] < 0) continue;
    ranks_by_pu[static_cast<std::size_t>(pu_of_rank[r])].push_back(r);
    used_pus.push_back(s.view.pus[static_cast<std::size_t>(pu_of_rank[r])].pu_os);
  }
  auto noise = s.noise_before;
  for (auto& reading : read_noise(NoiseWhen::kAfter, {used_pus, s.kernel_isa})) {
    noise.push_back(reading);
  }
  const std::string map =
      "  PUs by package and NUMA node, [core], local ranks last seen on "
      "each PU ('.' = none):\n" +
      format_pu_map(s.view, ranks_by_pu);
  WireWriter w;
  w.put(job.node_index).put(job.node_size).put(static_cast<int>(s.view.pus.size()));
  w.put_string(job.host).put_string(s.view.cpu_model).put_string(s.view.summary);
  w.put_string(s.view.caches).put_string(map).put_string(s.view.availability());
  w.put_string(s.available_from);
  w.put(noise.size());
  for (const auto& [name, value] : noise) w.put_string(name).put_string(value);
  w.put(s.region.notes.size());
  for (const auto& note : s.region.notes) w.put_string(note);
  w.put(s.region.mapped_bytes).put_string(s.policy.description);
  return w.bytes();
}

NodeInfo decode_node(const std::string& bytes) {
  WireReader r(bytes);
  NodeInfo n;
  n.index = r.get<int>();
  n.ranks = r.get<int>();
  n.pus = r.get<int>();
  n.host = r.get_string();
  n.cpu_model = r.get_string();
  n.topology = r.get_string();
  n.caches = r.get_string();
  n.placement_map = r.get_string();
  n.available = r.get_string();
  n.available_from = r.get_string();
  for (auto count = r.get<std::size_t>(); count > 0; --count) {
    std::string name = r.get_string();
    n.noise.emplace_back(std::move(name), r.get_string());
  }
  for (auto count = r.get<std::size_t>(); count > 0; --count)
    n.memory_notes.push_back(r.get_string());
  n.mapped_bytes = r.get<std::size_t>();
  n.policy = r.get_string();
  return n;
}

// Every rank's records and every node's description, at world rank 0.
std::vector<Record> gather_records(const MpiJob& job, const RankState& s, RunInfo& run) {
  maybe_stall("gather");
  for (const auto& text : job.gather_strings(encode_node(job, s))) {
    if (!text.empty()) run.nodes.push_back(decode_node(text));
  }
  WireWriter me;
  me.put_string(s.cpuset).put_string(format_binding_mask(s.view, s.cpuset));
  me.put(s.probes.size());
  for (const auto& value : s.probes) me.put_string(value);
  int rank = 0;
  for (const auto& bytes : job.gather_strings(me.bytes())) {
    if (job.world_rank != 0) break;
    WireReader r(bytes);
    RankInfo info;
    info.rank = rank++;
    info.cpuset = r.get_string();
    info.mask = r.get_string();
    for (auto count = r.get<std::size_t>(); count > 0; --count)
      info.probes.push_back(r.get_string());
    run.rank_info.push_back(info);
  }
  const std::string mine(reinterpret_cast<const char*>(s.records.data()),
                         s.records.size() * sizeof(Record));
  std::vector<Record> all;
  for (const auto& bytes : job.gather_strings(mine)) {
    const std::size_t first = all.size();
    all.resize(first + bytes.size() / sizeof(Record));
    std::memcpy(static_cast<void*>(all.data() + first), bytes.data(), bytes.size());
  }
  return all;
}

// Rank 0: both files written completely, then named back to back; then the summary.
void write_and_report(const Provenance& provenance, const RunInfo& run,
                      const std::vector<Record>& records, const std::string& csv,
                      const std::string& json, OutputFiles& outputs, bool quiet) {
  const auto slash = csv.rfind('/');
  const std::string csv_name = slash == std::string::npos ? csv : csv.substr(slash + 1);
  outputs.commit(format_csv(run, records), format_context_json(run, provenance, records, csv_name));
  if (quiet) return;
  std::fputs(format_summary(run, records, csv, json).c_str(), stdout);
  std::fflush(stdout);
}

// The run's fixed description: what the header and every sink say about it.
RunInfo describe_run(const Options& o, const MpiJob& job, const std::string& run_id) {
  RunInfo run;
  run.run_id = run_id;
  run.ranks = job.world_size;
  run.node_count = job.node_count;
  run.kernel = std::string(o.kernel->name);
  run.algorithm = std::string(o.kernel->algorithm);
  run.work_per_unit = work_per_unit(*o.kernel, o.data.size, o.data.values);
  run.size = o.data.size;
  run.values = o.data.values;
  run.pattern = std::string(pattern_name(o.data.pattern));
  run.seed = o.data.seed;
  run.strategy = o.pin.text;
  run.share = std::string(o.share->name);
  run.pages = std::string(page_kind_name(o.pages));
  run.touch = std::string(touch_name(o.touch));
  run.mempolicy = o.mempolicy.text;
  run.reps = o.reps;
  run.warmup = o.warmup;
  return run;
}

}  // namespace

void run_benchmark(const Options& o, const MpiJob& job) {
  const std::string run_id = job.broadcast_string(job.world_rank == 0 ? new_run_id() : "");
  const std::string csv =
      o.output.empty() ? std::string(kResultsFolder) + "/shmcount-" + run_id + ".csv" : o.output;
  const std::string json = json_path_for(csv);

  arm_time_limit(o.time_limit_s, job.world_rank);
  RunInfo run = describe_run(o, job, run_id);
  const bool talk = job.world_rank == 0 && !o.quiet;
  if (talk) {
    std::fputs(format_header(run).c_str(), stdout);
    std::fflush(stdout);
  }
  const bool terminal = stderr_reaches_terminal();
  Progress progress(talk && (o.progress || terminal), terminal);
  note_phase(RunPhase::kSetUp);
  RankState s;
  s.kernel_isa = std::string(kernel_isa(*o.kernel));
  if (job.is_leader()) s.noise_before = read_noise(NoiseWhen::kBefore, {{}, s.kernel_isa});
  job.all_or_none([&] { look_at_machine(o, job, s); });
  const auto node_bindings = job.node_allgather_strings(s.starting_binding);
  const auto node_launchers = job.node_allgather_strings(s.launcher_cpus);
  job.all_or_none([&] { set_up(o, job, node_bindings, node_launchers, csv, json, s); });
  note_phase(RunPhase::kShare);
  share_array(o, job, s);

  const std::span<const std::int32_t> data = s.region.array();
  const std::vector<std::uint64_t> expected = expected_counts(o.data);
  time_parallel(o, job, s, data, expected);
  s.probes = take_probes(s);
  if (o.baseline) time_sequential(o, job, s, data, expected);

  const Provenance provenance = collect_provenance(o.command_line);
  note_phase(RunPhase::kGather);
  const std::vector<Record> records = gather_records(job, s, run);
  disarm_time_limit();  // Writing the results is not limited: it is quick and must not be cut.
  note_phase(RunPhase::kWrite);
  progress.stop();

  job.all_or_none([&] {
    if (job.world_rank == 0) {
      write_and_report(provenance, run, records, csv, json, s.outputs, o.quiet);
    }
  });

  // Wrong counts are an error of the whole job, reported once with the first one found.
  std::string wrong;
  if (job.world_rank == 0) {
    for (const auto& r : records) {
      if (r.ok) continue;
      wrong = "wrong count on rank " + std::to_string(r.rank) + " (" +
              (r.phase == Phase::kParallel ? "parallel" : "sequential") + " rep " +
              std::to_string(r.rep) + "): value " + std::to_string(r.bad_value) + " counted " +
              std::to_string(r.bad_count) + " times, expected " + std::to_string(r.expected_count);
      break;
    }
  }
  if (!job.broadcast_string(wrong).empty()) {
    if (job.world_rank == 0) report_error(0, job.host, wrong);
    throw JobFailed{kExitWrongCounts};
  }
}

}  // namespace shmcount
