// The benchmark run, in the order a reader would explain it: set up (plan, bind, check outputs),
// share the array (one segment per node), time the kernel in parallel and sequentially, gather
// the records to rank 0, and hand them to the sinks.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>

#include "common/fatal_signal.hpp"
#include "common/fault.hpp"
#include "common/text.hpp"
#include "common/wire.hpp"
#include "kernels/dataset.hpp"
#include "kernels/plugin.hpp"
#include "memory/mechanisms.hpp"
#include "memory/probes.hpp"
#include "placement/binding.hpp"
#include "placement/disturbance.hpp"
#include "placement/node_plan.hpp"
#include "report/context.hpp"
#include "report/csv.hpp"
#include "report/output_files.hpp"
#include "report/summary.hpp"
#include "runners/commands.hpp"
#include "runners/launcher.hpp"
#include "runners/noise.hpp"
#include "runners/progress.hpp"
#include "runners/provenance.hpp"
#include "runners/run_common.hpp"
#include "runners/run_phase.hpp"
#include "runners/watchdog.hpp"

namespace shmcount {
namespace {

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// bad_value of a record that a plugin kernel's own verify() found wrong.
constexpr std::int64_t kPluginCheckFailed = -2;

// Compares a unit's counts with `times` x the expected ones (a table the node's ranks all add
// into holds the node's ranks' counts), filling the verdict fields of `record`; a plugin kernel
// whose result is not the counts checks itself.
void verify(const KernelInfo& kernel, std::span<const std::int32_t> data, const CountTable& counts,
            const std::vector<std::uint64_t>& expected, std::uint64_t times, Record& record) {
  if (kernel.plugin && kernel.plugin->kernel->verify) {
    char why[256] = {};
    if (plugin_verify(kernel, data, counts, why, sizeof why - 1) != 0) {
      record.ok = 0;
      record.bad_value = kPluginCheckFailed;  // The plugin's own check: no value to name.
    }
    return;
  }
  for (std::size_t v = 0; v < counts.values(); ++v) {
    const std::uint64_t got = counts.get(v);
    if (got != times * expected[v]) {
      record.ok = 0;
      record.bad_value = static_cast<std::int64_t>(v);
      record.bad_count = static_cast<std::int64_t>(got);
      record.expected_count = static_cast<std::int64_t>(times * expected[v]);
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
  PolicyPlan policy;                      // --mempolicy resolved on this node.
  Region region;                          // The array.
  int sharers = 1;                        // Ranks that map it: the node's, or this one's own copy.
  std::vector<std::string> probes;        // This rank's value of every probe, in table order.
  std::vector<std::uint64_t> own_counts;  // This rank's counts, when they are private.
  CountTable counts;                      // Where this rank's kernel adds (--counts).
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
  s.topo.emplace(this_machine());
  s.starting_binding = starting_binding(*s.topo);
  s.launcher_cpus = launcher_cpus(*s.topo);
}

// Plans this node over the PUs its ranks may use (plan_node() of their starting bindings and
// their launchers' CPUs, within what hwloc allows) and binds this rank; rank 0 also creates the
// (unnamed) result files, so that whatever would make writing them fail is found now. Local
// only: no MPI calls.
void set_up(const Options& o, const MpiJob& job, const NodeStart& start, const std::string& csv,
            const std::string& json, RankState& s) {
  NodePlan node = plan_node(*s.topo, start, job.node_size, o.pin);
  s.view = std::move(node.view);
  s.available_from = std::move(node.available_from);
  s.plan = std::move(node.placements);
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
    // The node's memory: the array (once per rank with a private copy), the count tables in the
    // shared memory, and each rank's own counts (--counts private).
    SizeNeed need;
    need.elements = o.data.size;
    need.array_bytes = mapped_bytes_for(o.data.size, o.pages);
    need.copies = o.share->shared ? 1 : job.node_size;
    need.counts_mode = o.counts->name;
    need.values = o.data.values;
    need.ranks = job.node_size;
    need.counts_bytes = o.counts->in_shared_memory
                            ? o.counts->bytes(o.data.values, job.node_size)
                            : o.data.values * sizeof(std::uint64_t) * job.node_size;
    const double memory =
        static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
    const std::string refusal = memory_refusal(need, memory);
    if (!refusal.empty()) throw UsageError(refusal);
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
  request.counts_bytes = o.counts->bytes(o.data.values, job.node_size);
  request.counts_mode = o.counts->name;
  request.values = o.data.values;
  request.ranks = job.node_size;
  const MpiNodeGroup group(job);
  s.region = share_array(group, *o.share, request, o.data);
  s.sharers = o.share->shared ? job.node_size : 1;
  if (!o.counts->in_shared_memory) s.own_counts.assign(o.data.values, 0);
  s.counts =
      o.counts->table(s.region.counts, s.own_counts, o.data.values, job.node_size, job.node_rank);
  job.all_or_none([&] { maybe_stall("attached"); });
}

// A plugin kernel that crashes or ends its process ends the run with one line saying so (exit 1)
// instead of a core dump in mpirun's words or a job that ends 0 without results. The shared
// memory was marked for removal before any kernel ran and the result files have no name yet, so
// nothing is left behind.
void catch_plugin_crashes(const MpiJob& job) { arm_plugin_crash_handlers(job.world_rank); }

// Before a unit, outside the timed region: a table the node's ranks all add into is zeroed by
// the leader (the others wait at the barrier that follows), a rank's own by the rank.
void zero_counts(const Options& o, const MpiJob& job, const RankState& s) {
  if (!o.counts->one_table || job.is_leader()) s.counts.zero();
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
  r.disturbance = disturbance_delta(before, read_disturbance(Reading::kAfter), r.time_ns);
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
  const bool miscount =
      process_fault().what == "miscount" && process_fault().targets(job.world_rank);
  // A table every rank of the node adds into is complete only when all of them are done.
  const std::uint64_t sharers = o.counts->one_table ? static_cast<std::uint64_t>(job.node_size) : 1;
  // Ranks that finish early wait asleep (quiet_barrier), so they leave the cores to the ranks
  // still counting; the MPI_Barrier after it then lines up the start.
  for (std::uint64_t w = 0; w < o.warmup; ++w) {
    note_phase(RunPhase::kWarmUp, w, o.warmup);
    job.quiet_barrier();
    zero_counts(o, job, s);
    MPI_Barrier(MPI_COMM_WORLD);
    o.kernel->count_into(data, s.counts);
  }
  for (std::uint64_t rep = 0; rep < o.reps; ++rep) {
    note_phase(RunPhase::kParallel, rep, o.reps);
    Record r = base_record(job, s, Phase::kParallel, static_cast<std::int64_t>(rep));
    job.quiet_barrier();
    zero_counts(o, job, s);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rep == 0) maybe_stall("kernel");
    const DisturbanceReading before = read_disturbance(Reading::kBefore);
    r.start_ns = monotonic_ns();
    if (rep == 0) maybe_stall("timed");  // A rank paused inside the timed region.
    o.kernel->count_into(data, s.counts);
    r.time_ns = monotonic_ns() - r.start_ns;
    note_disturbance(before, r);
    record_where(s, r);
    if (miscount) s.counts.add(0, 1);
    if (o.counts->one_table) job.quiet_barrier();  // Every rank's adds are in.
    verify(*o.kernel, data, s.counts, expected, sharers, r);
    s.records.push_back(r);
  }
}

// The node leader's part of the sequential baseline: W warm-ups, then R repetitions of the
// node's units back to back, each into counts zeroed before it (outside the timed region).
void lead_sequential(const Options& o, const MpiJob& job, RankState& s,
                     std::span<const std::int32_t> data,
                     const std::vector<std::uint64_t>& expected) {
  for (std::uint64_t w = 0; w < o.warmup; ++w) {
    for (int u = 0; u < job.node_size; ++u) {
      s.counts.zero();
      o.kernel->count_into(data, s.counts);
    }
  }
  for (std::uint64_t rep = 0; rep < o.reps; ++rep) {
    note_phase(RunPhase::kSequential, rep, o.reps);
    Record r = base_record(job, s, Phase::kSequential, static_cast<std::int64_t>(rep));
    r.units = job.node_size;
    const DisturbanceReading before = read_disturbance(Reading::kBefore);
    for (int u = 0; u < job.node_size; ++u) {
      s.counts.zero();
      const std::int64_t t0 = monotonic_ns();
      if (u == 0) r.start_ns = t0;
      o.kernel->count_into(data, s.counts);
      r.time_ns += monotonic_ns() - t0;
      if (r.ok) verify(*o.kernel, data, s.counts, expected, 1, r);
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

// This node's description, at its leader (empty elsewhere): what the sinks say about the node.
std::optional<NodeInfo> describe_node(const MpiJob& job, const RankState& s) {
  std::vector<int> pu_of_rank(job.is_leader() ? job.node_size : 0);
  MPI_Gather(&s.last_pu_index, 1, MPI_INT, pu_of_rank.data(), 1, MPI_INT, 0, job.node);
  if (!job.is_leader()) return std::nullopt;
  std::vector<std::vector<int>> ranks_by_pu(s.view.pus.size());
  std::vector<int> used_pus;  // OS indices, for the clock readings.
  for (int r = 0; r < job.node_size; ++r) {
    if (pu_of_rank[r] < 0) continue;
    ranks_by_pu[static_cast<std::size_t>(pu_of_rank[r])].push_back(r);
    used_pus.push_back(s.view.pus[static_cast<std::size_t>(pu_of_rank[r])].pu_os);
  }
  NodeInfo n;
  n.index = job.node_index;
  n.ranks = job.node_size;
  n.pus = static_cast<int>(s.view.pus.size());
  n.host = job.host;
  n.cpu_model = s.view.cpu_model;
  n.topology = s.view.summary;
  n.caches = s.view.caches;
  n.placement_map =
      "  PUs by package and NUMA node, [core], local ranks last seen on each PU ('.' = none):\n" +
      format_pu_map(s.view, ranks_by_pu);
  n.available = s.view.availability();
  n.available_from = s.available_from;
  n.noise = s.noise_before;
  for (auto& reading : read_noise(NoiseWhen::kAfter, {used_pus, s.kernel_isa, &s.view})) {
    n.noise.push_back(reading);
  }
  n.memory_notes = s.region.notes;
  n.mapped_bytes = s.region.mapped_bytes;
  n.policy = s.policy.description;
  return n;
}

// Every rank's records and every node's description, at world rank 0.
std::vector<Record> gather_records(const MpiJob& job, const RankState& s, RunInfo& run) {
  maybe_stall("gather");
  WireWriter node;
  if (const auto mine = describe_node(job, s)) write_node(node, *mine);
  for (const auto& bytes : job.gather_strings(node.bytes())) {
    if (bytes.empty()) continue;
    WireReader r(bytes);
    run.nodes.push_back(read_node(r));
  }
  RankInfo me{job.world_rank, s.cpuset, format_binding_mask(s.view, s.cpuset), s.probes};
  WireWriter rank;
  write_rank(rank, me);
  for (const auto& bytes : job.gather_strings(rank.bytes())) {
    if (job.world_rank != 0) break;
    WireReader r(bytes);
    run.rank_info.push_back(read_rank(r));
  }
  std::vector<Record> all;
  for (const auto& bytes : job.gather_strings(records_to_bytes(s.records))) {
    for (const Record& r : records_from_bytes(bytes)) all.push_back(r);
  }
  return all;
}

// Rank 0: both files written completely, then named back to back; then the summary. The figures
// are computed once, for both.
void write_and_report(const Provenance& provenance, const RunInfo& run,
                      const std::vector<Record>& records, const std::string& csv,
                      const std::string& json, OutputFiles& outputs, bool quiet) {
  const RunFigures figures = compute_figures(run, records);
  const auto slash = csv.rfind('/');
  const std::string csv_name = slash == std::string::npos ? csv : csv.substr(slash + 1);
  outputs.commit(format_csv(run, records), format_context_json(run, provenance, figures, csv_name));
  if (quiet) return;
  std::fputs(format_summary(run, records, figures, csv, json).c_str(), stdout);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    throw Error(describe_errno("writing the summary to standard output", errno) +
                "; the results are written: " + printable(csv) + " and its .json");
  }
}

// The run's fixed description: what the header and every sink say about it.
RunInfo describe_run(const Options& o, const MpiJob& job, const std::string& run_id) {
  RunInfo run;
  run.run_id = run_id;
  run.ranks = job.world_size;
  run.node_count = job.node_count;
  run.options = o;
  run.algorithm = std::string(o.kernel->algorithm);
  run.work_per_unit = work_per_unit(*o.kernel, o.data.size, o.data.values);
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
  const NodeStart start{job.node_allgather_strings(s.starting_binding),
                        job.node_allgather_strings(s.launcher_cpus), launch_bindings_chosen()};
  job.all_or_none([&] { set_up(o, job, start, csv, json, s); });
  note_phase(RunPhase::kShare);
  share_array(o, job, s);

  const std::span<const std::int32_t> data = s.region.array();
  const std::vector<std::uint64_t> expected = expected_counts(o.data);
  if (o.kernel->plugin) catch_plugin_crashes(job);
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
      const std::string where = std::string(o.counts->one_table ? "in the node's shared counts, "
                                                                  "seen by rank "
                                                                : "on rank ") +
                                std::to_string(r.rank) + " (" +
                                (r.phase == Phase::kParallel ? "parallel" : "sequential") +
                                " rep " + std::to_string(r.rep) + ")";
      wrong = r.bad_value == kPluginCheckFailed
                  ? "the plugin kernel's own verify() found a unit wrong " + where
                  : "wrong count " + where + ": value " + std::to_string(r.bad_value) +
                        " counted " + std::to_string(r.bad_count) + " times, expected " +
                        std::to_string(r.expected_count);
      break;
    }
  }
  if (!job.broadcast_string(wrong).empty()) {
    if (job.world_rank == 0) report_error(0, job.host, wrong);
    throw JobFailed{kExitWrongCounts};
  }
}

}  // namespace shmcount
