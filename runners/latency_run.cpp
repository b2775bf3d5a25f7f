// The latency map (--latency), in the order a reader would explain it: two ranks on one node
// look at the machine and plan the pairs, share one cache line through the --share mechanism
// (marked for removal before anything is measured, as a counting run's array), then visit every
// pair in every round (a seeded random order per round): each rank binds itself to its PU of the
// pair and reads the binding back, and the two bounce the line, each turn checked. The samples
// reach rank 0, which writes the CSV and the run context and prints the summary.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <ctime>
#include <optional>
#include <random>
#include <tuple>

#include "common/fault.hpp"
#include "common/wire.hpp"
#include "latency/figures.hpp"
#include "latency/pingpong.hpp"
#include "memory/mechanisms.hpp"
#include "placement/binding.hpp"
#include "placement/disturbance.hpp"
#include "placement/node_plan.hpp"
#include "placement/pairs.hpp"
#include "report/latency_report.hpp"
#include "report/output_files.hpp"
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

// Untimed samples before each direction of a visit: the line moves to the pair's PUs and their
// clocks wake up before anything is timed (nviennot drops one sample too).
constexpr std::size_t kWarmUpSamples = 1;
// A turn that does not come for this long ends the map as broken (see BounceSettings).
constexpr std::int64_t kStallNs = 10'000'000'000;

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The per-rank state of a map, built by the steps below in order.
struct LatencyState {
  std::optional<Topology> topo;
  std::string starting_binding;
  std::string launcher_cpus;
  NodeView node;
  std::vector<PuPair> pairs;
  Region region;  // The memory of the --share mechanism that holds the line.
  BounceLine* line = nullptr;
  std::uint64_t value = 0;             // What the line holds between visits.
  std::vector<LatencySample> samples;  // Those this rank started (and timed).
  std::vector<std::pair<std::string, std::string>> noise_before;  // Rank 0.
  OutputFiles outputs;                                            // Rank 0.
  std::size_t visits = 0, disturbed_visits = 0;
  std::string failure;  // Why measuring stopped, when a handoff broke.
};

// Exactly two ranks on one node: one per PU of a pair. Local: no MPI calls.
void check_job(const MpiJob& job) {
  if (job.world_size == 2 && job.node_count == 1) return;
  throw UsageError(
      "--latency needs exactly 2 ranks on one node, one on each PU of a pair; this "
      "job has " +
      std::to_string(job.world_size) + " rank(s) on " + std::to_string(job.node_count) +
      " node(s): run mpirun -np 2 shmcount --latency");
}

// The PUs the two ranks may use, the pairs on them, and (rank 0) the unnamed result files.
// Local: no MPI calls.
void set_up(const Options& o, const MpiJob& job, const NodeStart& start, const std::string& csv,
            const std::string& json, LatencyState& s) {
  s.node = node_view(*s.topo, start);
  s.pairs = plan_pairs(s.node.view, o.latency.pairs);
  if (pair_cost(s.pairs, o.latency.samples, o.latency.round_trips).pairs == 0) {
    throw UsageError("--pairs " + o.latency.pairs.text +
                     " gives no pair of PUs this job may use (" + s.node.view.availability() +
                     "); see shmcount --plan --latency");
  }
  // Each rank's samples reach rank 0 in one gather, which counts bytes in an int.
  const PairCost cost = pair_cost(s.pairs, o.latency.samples, o.latency.round_trips);
  const double bytes = static_cast<double>(cost.pairs) * static_cast<double>(o.latency.samples) *
                       sizeof(LatencySample);
  if (bytes > INT_MAX) {
    throw UsageError("--samples " + std::to_string(o.latency.samples) + " on " +
                     std::to_string(cost.pairs) +
                     " pairs makes more samples than one gather carries (2 GiB); use fewer "
                     "samples or pairs (--pairs cores or domains)");
  }
  if (job.world_rank == 0)
    s.outputs = OutputFiles::prepare(csv, json, o.output.empty() ? kResultsFolder : "");
}

// One line pair of memory from the --share mechanism, the line at its start (128-byte aligned,
// nothing else there), zeroed by the leader before anyone bounces it. The mechanism marks the
// memory for removal before any rank sees its name, as for a counting run's array.
void share_line(const Options& o, const MpiJob& job, LatencyState& s) {
  maybe_stall("start");
  ShareRequest request;
  // Two line pairs of int32: room to align the line whatever the mechanism's base alignment.
  request.elements = 2 * kLinePairBytes / sizeof(std::int32_t);
  request.topo = &*s.topo;
  const MpiNodeGroup group(job);
  s.region = o.share->allocate(group, request);
  const auto base = reinterpret_cast<std::uintptr_t>(s.region.data);
  const std::uintptr_t aligned = (base + kLinePairBytes - 1) / kLinePairBytes * kLinePairBytes;
  s.line = reinterpret_cast<BounceLine*>(aligned);
  if (job.is_leader()) s.line->value.store(0, std::memory_order_release);
  group.barrier();
  job.all_or_none([&] { maybe_stall("attached"); });
}

// Binds this process to logical PU `logical` and reads back where it runs: "" when both the
// binding in force and the PU the thread last ran on are that PU, else why not.
std::string bind_to(const Topology& topo, const MachineView& view, int logical) {
  hwloc_obj_t pu = hwloc_get_obj_by_type(topo.get(), HWLOC_OBJ_PU, static_cast<unsigned>(logical));
  if (!pu) return "PU L#" + std::to_string(logical) + " does not exist";
  const std::string os = std::to_string(pu->os_index);
  if (hwloc_set_cpubind(topo.get(), pu->cpuset, HWLOC_CPUBIND_PROCESS) != 0) {
    return describe_errno("hwloc_set_cpubind(PU L#" + std::to_string(logical) + " (P#" + os +
                              "), HWLOC_CPUBIND_PROCESS)",
                          errno);
  }
  const WhereRan where = read_back(topo, view);
  if (where.cpuset != os || where.pu.pu_os != static_cast<int>(pu->os_index)) {
    return "bound to PU L#" + std::to_string(logical) + " (P#" + os + ") but read back bound to " +
           where.cpuset + ", last on P#" + std::to_string(where.pu.pu_os);
  }
  return "";
}

// Whether this rank still runs on its PU (after a visit).
bool still_on(const Topology& topo, const MachineView& view, const PuPair& p, int rank) {
  return read_back(topo, view).pu.pu_os == (rank == 0 ? p.a_os : p.b_os);
}

// Every rank's VisitReport, in rank order.
std::vector<VisitReport> exchange(const MpiJob& job, const VisitReport& mine) {
  WireWriter w;
  write_visit(w, mine);
  std::vector<VisitReport> out;
  for (const auto& bytes : job.node_allgather_strings(w.bytes())) {
    WireReader r(bytes);
    out.push_back(read_visit(r));
  }
  return out;
}

// One visit of pair `index` in `round`: bind, read back, then the round's share of the pair's
// samples in both directions (first the rank on PU a starts them, then the rank on PU b), each
// direction after a barrier and checked after one: the line must hold what its round trips
// leave. Returns false when measuring must stop (a broken handoff); a pair that cannot be bound
// is flagged and never measured.
bool visit(const Options& o, const MpiJob& job, LatencyState& s, std::size_t index, int round,
           bool* first_visit) {
  PuPair& p = s.pairs[index];
  const int me = job.world_rank;
  const std::string bound = bind_to(*s.topo, s.node.view, me == 0 ? p.a : p.b);
  const auto whys = job.node_allgather_strings(bound);
  for (int r = 0; r < 2; ++r) {
    if (whys[static_cast<std::size_t>(r)].empty()) continue;
    p.usable = false;  // Never measured elsewhere: flagged, and skipped in later rounds.
    p.why_not = "rank " + std::to_string(r) + ": " + whys[static_cast<std::size_t>(r)];
    return true;
  }
  const LatencyOptions& lo = o.latency;
  const auto r = static_cast<std::uint64_t>(round);
  const auto first_sample = static_cast<std::int32_t>(lo.samples * r / lo.rounds);
  const auto end_sample = static_cast<std::int32_t>(lo.samples * (r + 1) / lo.rounds);
  // Direction d: the rank on the pair's PU d (rank d) starts; ab takes the odd sample.
  const std::int32_t ab = (end_sample - first_sample + 1) / 2;
  const std::int32_t firsts[2] = {first_sample, first_sample + ab};
  const std::int32_t counts[2] = {ab, end_sample - first_sample - ab};
  VisitReport mine;
  std::vector<LatencySample> started;
  MPI_Barrier(job.node);
  const DisturbanceReading before = read_disturbance(Reading::kBefore);
  const std::int64_t t0 = monotonic_ns();
  for (int d = 0; d < 2 && mine.ok; ++d) {  // Both ranks leave together: they agree on ok.
    BounceSettings settings;
    settings.round_trips = lo.round_trips;
    settings.first_value = s.value;
    settings.stall_ns = kStallNs;
    const std::size_t samples = kWarmUpSamples + static_cast<std::size_t>(counts[d]);
    // The fault breaks the third timed sample of the first visit (or its last): the two before
    // it are written, marked wrong.
    if (*first_visit && d == 0 && process_fault().what == "handoff" &&
        process_fault().targets(me)) {
      settings.break_in_sample =
          static_cast<std::int64_t>(std::min(kWarmUpSamples + 2, samples - 1));
    }
    const BounceOutcome outcome =
        bounce(*s.line, d == me ? Turn::kStarts : Turn::kAnswers, samples, settings);
    MPI_Barrier(job.node);  // Every store of this direction is made...
    const std::uint64_t expected = value_after(s.value, samples, lo.round_trips);
    const std::uint64_t held = s.line->value.load(std::memory_order_acquire);
    if (held != expected) {
      mine.ok = 0;
      mine.why = !outcome.ok
                     ? outcome.why
                     : "that the line held " + std::to_string(held) + " after the visit, not the " +
                           std::to_string(expected) + " its round trips leave: a broken handoff";
    }
    // ...and both ranks have read the line, and agree, before the next direction stores again.
    int both_ok = mine.ok;
    MPI_Allreduce(MPI_IN_PLACE, &both_ok, 1, MPI_INT, MPI_MIN, job.node);
    if (!both_ok && mine.ok) {
      mine.ok = 0;
      mine.why = "the other rank found the handoff broken and stopped";
    }
    for (std::size_t k = kWarmUpSamples; k < samples && d == me; ++k) {
      if (outcome.ns[k] < 0) continue;
      LatencySample sample;
      sample.pair = static_cast<std::int32_t>(index);
      sample.round = round;
      sample.sample = firsts[d] + static_cast<std::int32_t>(k - kWarmUpSamples);
      sample.direction = d;
      sample.time_ns = outcome.ns[k];
      started.push_back(sample);
    }
    s.value = expected;
  }
  const std::int64_t visit_ns = monotonic_ns() - t0;
  const DisturbanceCounts lost =
      disturbance_delta(before, read_disturbance(Reading::kAfter), visit_ns);
  mine.placed = still_on(*s.topo, s.node.view, p, me) ? 1 : 0;
  mine.disturbed = is_disturbed(lost, visit_ns, false, true) ? 1 : 0;
  const std::vector<VisitReport> both = exchange(job, mine);
  const int ok = both[0].ok & both[1].ok;
  for (auto& sample : started) {
    sample.ok = ok;
    sample.placed_ok = both[0].placed & both[1].placed;
    sample.disturbed = both[0].disturbed | both[1].disturbed;
    s.samples.push_back(sample);
  }
  ++s.visits;
  s.disturbed_visits += static_cast<std::size_t>(both[0].disturbed | both[1].disturbed);
  *first_visit = false;
  if (ok) return true;
  // The rank that found the break first: the other one only saw the stop value.
  const int who =
      !both[0].ok && both[0].why.find("found the handoff broken") == std::string::npos ? 0 : 1;
  s.failure = "pair " + std::to_string(p.a) + ":" + std::to_string(p.b) + ", round " +
              std::to_string(round) + ": rank " + std::to_string(who) + " found " +
              both[static_cast<std::size_t>(who)].why;
  return false;
}

// The order of the pairs in `round`: a shuffle drawn from the seed and the round, the same on
// both ranks and on every platform (Fisher-Yates over mt19937_64's output).
std::vector<std::size_t> round_order(std::size_t pairs, std::uint64_t seed, int round) {
  std::vector<std::size_t> order(pairs);
  for (std::size_t i = 0; i < pairs; ++i) order[i] = i;
  std::mt19937_64 rng(seed * 1000003 + static_cast<std::uint64_t>(round));
  for (std::size_t i = pairs; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  return order;
}

// Every round, every usable pair once. Rank 0 says what it will cost before, and how long it
// will take once the first visit has been timed.
void measure(const Options& o, const MpiJob& job, LatencyState& s, bool talk) {
  const LatencyOptions& lo = o.latency;
  const PairCost cost = pair_cost(s.pairs, lo.samples, lo.round_trips);
  const std::uint64_t visits = cost.pairs * lo.rounds;
  if (talk) {
    using ull = unsigned long long;
    std::printf("pairs: %llu on %s; %llu samples of %llu round trips each, in %llu round(s): %s\n",
                static_cast<ull>(cost.pairs), s.node.view.availability().c_str(),
                static_cast<ull>(lo.samples), static_cast<ull>(lo.round_trips),
                static_cast<ull>(lo.rounds), cost_estimate(cost).c_str());
    std::fflush(stdout);
  }
  bool first_visit = true;
  std::uint64_t done = 0;
  for (int round = 0; round < static_cast<int>(lo.rounds); ++round) {
    for (std::size_t index : round_order(s.pairs.size(), lo.order_seed, round)) {
      if (!s.pairs[index].usable) continue;
      note_phase(RunPhase::kPairs, done, visits);
      const std::int64_t t0 = monotonic_ns();
      const bool was_first = first_visit;
      if (!visit(o, job, s, index, round, &first_visit)) return;
      ++done;
      if (talk && was_first && !first_visit) {
        const double visit_s = static_cast<double>(monotonic_ns() - t0) / 1e9;
        std::printf(
            "measuring: the first visit took %s (binding, a warm-up sample each way and about "
            "%llu timed samples): about %s for all %llu visits\n",
            duration_text(visit_s).c_str(), static_cast<unsigned long long>(lo.samples / lo.rounds),
            duration_text(visit_s * static_cast<double>(visits)).c_str(),
            static_cast<unsigned long long>(visits));
        std::fflush(stdout);
      }
    }
  }
}

// The node as the sinks describe it (rank 0 is the leader of the only node).
NodeInfo describe_node(const MpiJob& job, const LatencyState& s) {
  NodeInfo n;
  n.index = 0;
  n.ranks = job.world_size;
  n.pus = static_cast<int>(s.node.view.pus.size());
  n.host = job.host;
  n.cpu_model = s.node.view.cpu_model;
  n.topology = s.node.view.summary;
  n.caches = s.node.view.caches;
  n.available = s.node.view.availability();
  n.available_from = s.node.available_from;
  n.noise = s.noise_before;
  std::vector<int> used;
  for (const auto& p : s.pairs) {
    if (p.usable) used.insert(used.end(), {p.a_os, p.b_os});
  }
  for (auto& reading :
       read_noise(NoiseWhen::kAfter, {used, "none (no counting kernel)", &s.node.view})) {
    n.noise.push_back(reading);
  }
  return n;
}

}  // namespace

void run_latency(const Options& o, const MpiJob& job) {
  job.all_or_none([&] { check_job(job); });
  const std::string run_id = job.broadcast_string(job.world_rank == 0 ? new_run_id() : "");
  const std::string csv =
      o.output.empty() ? std::string(kResultsFolder) + "/shmcount-" + run_id + ".csv" : o.output;
  const std::string json = json_path_for(csv);
  arm_time_limit(o.time_limit_s, job.world_rank);
  LatencyRunInfo run;
  run.run_id = run_id;
  run.options = o;
  const bool talk = job.world_rank == 0 && !o.quiet;
  if (talk) {
    std::fputs(format_latency_header(run).c_str(), stdout);
    std::fflush(stdout);
  }
  const bool terminal = stderr_reaches_terminal();
  Progress progress(talk && (o.progress || terminal), terminal);
  note_phase(RunPhase::kSetUp);
  LatencyState s;
  if (job.world_rank == 0) s.noise_before = read_noise(NoiseWhen::kBefore, {{}, ""});
  job.all_or_none([&] {
    s.topo.emplace(this_machine());
    s.starting_binding = starting_binding(*s.topo);
    s.launcher_cpus = launcher_cpus(*s.topo);
  });
  const NodeStart start{job.node_allgather_strings(s.starting_binding),
                        job.node_allgather_strings(s.launcher_cpus), launch_bindings_chosen()};
  job.all_or_none([&] { set_up(o, job, start, csv, json, s); });
  note_phase(RunPhase::kShare);
  share_line(o, job, s);
  measure(o, job, s, talk);

  const Provenance provenance = collect_provenance(o.command_line);
  note_phase(RunPhase::kGather);
  maybe_stall("gather");
  std::vector<LatencySample> samples;
  for (const auto& bytes : job.gather_strings(samples_to_bytes(s.samples))) {
    for (const auto& sample : samples_from_bytes(bytes)) samples.push_back(sample);
  }
  std::sort(samples.begin(), samples.end(), [](const LatencySample& x, const LatencySample& y) {
    return std::tie(x.pair, x.sample) < std::tie(y.pair, y.sample);
  });
  run.node = describe_node(job, s);
  run.pairs = s.pairs;
  run.machine = s.node.view;
  run.line = std::to_string(kLinePairBytes) +
             " bytes (one line pair), aligned to them, at offset " +
             std::to_string(reinterpret_cast<std::uintptr_t>(s.line) -
                            reinterpret_cast<std::uintptr_t>(s.region.data)) +
             " of " + std::to_string(s.region.mapped_bytes) + " bytes from --share " +
             std::string(o.share->name) + ", nothing else in them";
  run.visits = s.visits;
  run.disturbed_visits = s.disturbed_visits;
  run.failure = s.failure;
  disarm_time_limit();
  note_phase(RunPhase::kWrite);
  progress.stop();

  job.all_or_none([&] {
    if (job.world_rank != 0) return;
    const LatencyFigures figures =
        compute_latency_figures(run.pairs, samples, o.latency.round_trips);
    const auto slash = csv.rfind('/');
    s.outputs.commit(
        format_latency_csv(run, samples),
        format_latency_context_json(run, provenance, figures,
                                    slash == std::string::npos ? csv : csv.substr(slash + 1)));
    if (o.quiet) return;
    std::fputs(format_latency_summary(run, figures, csv, json).c_str(), stdout);
    std::fflush(stdout);
  });
  // A broken handoff is a wrong result of the whole job, reported once (its samples are written,
  // with ok = 0).
  if (!s.failure.empty()) {
    if (job.world_rank == 0) report_error(0, job.host, "latency map: " + s.failure);
    throw JobFailed{kExitWrongCounts};
  }
}

}  // namespace shmcount
