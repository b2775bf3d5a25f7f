// The latency map's parts without MPI: the bounced line between two threads (every handoff
// checked), the figures of samples, and the detector that holds measured latencies against
// hwloc's tree, on synthetic matrices.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "latency/figures.hpp"
#include "latency/pingpong.hpp"
#include "latency/structure.hpp"
#include "placement/pairs.hpp"
#include "placement/topology.hpp"
#include "report/latency_report.hpp"

namespace shmcount {
namespace {

// Small counts: on a busy 2-CPU machine the two threads may share a CPU, and then every turn
// waits for the scheduler.
BounceSettings small(std::uint64_t first = 0) {
  BounceSettings s;
  s.round_trips = 50;
  s.first_value = first;
  s.stall_ns = 5'000'000'000;
  return s;
}

struct BothOutcomes {
  BounceOutcome starter, answerer;
};

// A bounce that never ends (an agent that keeps waiting: a check that lets a broken handoff
// through) fails the test within 30 s instead of hanging it.
void fail_if_hung() {
  std::signal(SIGALRM, [](int) {
    const char message[] = "FAIL: a bounce did not end within 30 s: an agent kept waiting\n";
    (void)!::write(STDERR_FILENO, message, sizeof message - 1);
    std::_Exit(1);
  });
  ::alarm(30);
}

BothOutcomes bounce_both(BounceLine& line, std::size_t samples, const BounceSettings& starter,
                         const BounceSettings& answerer) {
  BothOutcomes out;
  fail_if_hung();
  std::thread other([&] { out.answerer = bounce(line, Turn::kAnswers, samples, answerer); });
  out.starter = bounce(line, Turn::kStarts, samples, starter);
  other.join();
  ::alarm(0);
  return out;
}

TEST(Wire, VisitReportRoundTrips) {
  const VisitReport sent{0, 1, 1, std::string("rank 1: bound\0 to\n\"2\"", 22)};
  WireWriter w;
  write_visit(w, sent);
  write_visit(w, VisitReport{});
  WireReader r(w.bytes());
  const VisitReport back = read_visit(r);
  const VisitReport plain = read_visit(r);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(back.ok, 0);
  EXPECT_EQ(back.placed, 1);
  EXPECT_EQ(back.disturbed, 1);
  EXPECT_EQ(back.why, sent.why);
  EXPECT_EQ(plain.ok, 1);
  EXPECT_EQ(plain.why, "");
}

TEST(PingPong, EveryRoundTripLeavesTheLineWhereBothExpectIt) {
  BounceLine line;
  const BothOutcomes o = bounce_both(line, 4, small(), small());
  EXPECT_TRUE(o.starter.ok) << o.starter.why;
  EXPECT_TRUE(o.answerer.ok) << o.answerer.why;
  EXPECT_EQ(line.value.load(), value_after(0, 4, 50));
  EXPECT_EQ(o.starter.last_value, value_after(0, 4, 50));
  ASSERT_EQ(o.starter.ns.size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_GT(o.starter.ns[k], 0);    // The starter times every sample...
    EXPECT_EQ(o.answerer.ns[k], -1);  // ...the answerer none.
  }
  // Roles change between two calls (the join is the barrier): the values go on.
  std::thread other(
      [&] { EXPECT_TRUE(bounce(line, Turn::kStarts, 2, small(value_after(0, 4, 50))).ok); });
  EXPECT_TRUE(bounce(line, Turn::kAnswers, 2, small(value_after(0, 4, 50))).ok);
  other.join();
  EXPECT_EQ(line.value.load(), value_after(0, 6, 50));
}

TEST(PingPong, AHandoffThatLosesATurnIsFoundByTheOtherAgent) {
  for (const bool starter_breaks : {true, false}) {
    BounceLine line;
    BounceSettings broken = small();
    broken.break_in_sample = 1;
    const BothOutcomes o = starter_breaks ? bounce_both(line, 3, broken, small())
                                          : bounce_both(line, 3, small(), broken);
    const BounceOutcome& finder = starter_breaks ? o.answerer : o.starter;
    const BounceOutcome& breaker = starter_breaks ? o.starter : o.answerer;
    EXPECT_FALSE(finder.ok);
    EXPECT_FALSE(breaker.ok);  // Stopped by the finder, not left waiting.
    EXPECT_EQ(finder.failed_sample, 1u);
    EXPECT_NE(finder.why.find("a broken handoff"), std::string::npos) << finder.why;
    EXPECT_NE(breaker.why.find("found the handoff broken"), std::string::npos) << breaker.why;
    EXPECT_GT(o.starter.ns[0], 0);   // The sample before the break was timed...
    EXPECT_EQ(o.starter.ns[1], -1);  // ...the broken one was not.
    EXPECT_NE(line.value.load(), value_after(0, 3, 50));
  }
}

TEST(PingPong, APartnerThatNeverAnswersEndsTheBounceAsStalled) {
  BounceLine line;
  BounceSettings s = small();
  s.stall_ns = 20'000'000;  // 20 ms.
  const auto start = std::chrono::steady_clock::now();
  const BounceOutcome o = bounce(line, Turn::kStarts, 1, s);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.why.find("no answer from the other rank"), std::string::npos) << o.why;
}

// A sample of `one_way` ns over 1000 round trips.
LatencySample sample_of(int pair, int round, int k, double one_way, int direction = 0) {
  LatencySample s;
  s.pair = pair;
  s.round = round;
  s.sample = k;
  s.direction = direction;
  s.time_ns = static_cast<std::int64_t>(std::llround(one_way * 2 * 1000));
  return s;
}

TEST(LatencyFigures, PerPairAndPerRelationFromUsableSamplesOnly) {
  const std::vector<PuPair> pairs{PuPair{0, 1, 0, 1, Relation::kL3, true, ""},
                                  PuPair{0, 2, 0, 2, Relation::kL3, true, ""},
                                  PuPair{1, 2, 1, 2, Relation::kOther, true, ""}};
  std::vector<LatencySample> samples;
  for (int k = 0; k < 6; ++k) {
    samples.push_back(sample_of(0, k / 3, k, 40 + k, k % 2));  // 40..45: median 42.5
    samples.push_back(sample_of(1, k / 3, k, 50 + k, k % 2));  // 50..55
    samples.push_back(sample_of(2, k / 3, k, 120, k % 2));
  }
  LatencySample wrong = sample_of(0, 1, 6, 1000);
  wrong.ok = 0;
  LatencySample elsewhere = sample_of(0, 1, 7, 1000);
  elsewhere.placed_ok = 0;
  samples.push_back(wrong);
  samples.push_back(elsewhere);
  const LatencyFigures f = compute_latency_figures(pairs, samples, 1000);
  EXPECT_EQ(f.samples, 20u);
  EXPECT_EQ(f.wrong, 1u);
  EXPECT_EQ(f.off_place, 1u);
  ASSERT_EQ(f.pairs.size(), 3u);
  EXPECT_EQ(f.pairs[0].samples, 6u);  // The wrong and the misplaced sample are left out.
  EXPECT_DOUBLE_EQ(f.pairs[0].median_ns, 42.5);
  EXPECT_DOUBLE_EQ(f.pairs[0].min_ns, 40);
  EXPECT_DOUBLE_EQ(f.pairs[0].median_ab_ns, 42);  // 40, 42, 44
  EXPECT_DOUBLE_EQ(f.pairs[0].median_ba_ns, 43);  // 41, 43, 45
  EXPECT_LE(f.pairs[0].low_ns, 42.5);
  EXPECT_GE(f.pairs[0].high_ns, 42.5);
  EXPECT_GE(f.pairs[0].low_ns, 40);
  EXPECT_LE(f.pairs[0].high_ns, 45);
  ASSERT_EQ(f.relations.size(), 2u);
  EXPECT_EQ(f.relations[0].relation, Relation::kL3);  // Closest first.
  EXPECT_EQ(f.relations[0].pairs, 2);
  EXPECT_DOUBLE_EQ(f.relations[0].median_ns, (42.5 + 52.5) / 2);
  EXPECT_DOUBLE_EQ(f.relations[0].min_ns, 40);
  // A relation of one pair takes that pair's interval.
  EXPECT_DOUBLE_EQ(f.relations[1].low_ns, f.pairs[2].low_ns);
  EXPECT_DOUBLE_EQ(f.relations[1].median_ns, 120);
  // Seeded: the same samples give the same intervals.
  EXPECT_DOUBLE_EQ(compute_latency_figures(pairs, samples, 1000).pairs[0].low_ns,
                   f.pairs[0].low_ns);
}

TEST(LatencyFigures, SamplesTravelAsBytes) {
  const std::vector<LatencySample> samples{sample_of(3, 1, 7, 55.5, 1), sample_of(0, 0, 0, 9)};
  const auto back = samples_from_bytes(samples_to_bytes(samples));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].pair, 3);
  EXPECT_EQ(back[0].time_ns, samples[0].time_ns);
  EXPECT_THROW(samples_from_bytes("abc"), Error);
}

// Every pair of a machine's PUs with its relation in hwloc's tree and a latency from `of`.
template <class Latency>
std::vector<PairLatency> matrix(const std::string& topology, Latency of) {
  const MachineView m = Topology::from_spec(topology).view();
  std::vector<PairLatency> out;
  for (std::size_t i = 0; i < m.pus.size(); ++i) {
    for (std::size_t j = i + 1; j < m.pus.size(); ++j) {
      PairLatency p;
      p.a = m.pus[i].pu_logical;
      p.b = m.pus[j].pu_logical;
      p.relation = relation_of(m, m.pus[i], m.pus[j]);
      of(p);
      out.push_back(p);
    }
  }
  return out;
}

void with_interval(PairLatency& p, double median, double spread) {
  p.median_ns = median;
  p.low_ns = median * (1 - spread);
  p.high_ns = median * (1 + spread);
}

TEST(Structure, AHiddenSmtPairIsFound) {
  // A flat 16-vCPU VM (hwloc: 16 cores sharing an L3) whose host runs vCPUs i and i+8 on one
  // core: those pairs answer in 11 ns, every other in about 50.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 0.03);
  const auto pairs = matrix("pack:1 l3:1 core:16 pu:1", [&](PairLatency& p) {
    const bool hidden = p.b == p.a + 8;
    with_interval(p, (hidden ? 11 : 50) * std::exp(noise(rng)), 0.02);
  });
  const StructureReport s = compare_with_tree(pairs);
  ASSERT_EQ(s.levels.size(), 2u);
  EXPECT_EQ(s.levels[0].pairs, 8);
  EXPECT_TRUE(s.levels[0].home_of.empty());  // No relation of the tree answers there.
  ASSERT_EQ(s.findings.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    const StructureFinding& f = s.findings[static_cast<std::size_t>(i)];
    EXPECT_EQ(f.kind, StructureFinding::Kind::kCloser);
    EXPECT_EQ(f.a, i);
    EXPECT_EQ(f.b, i + 8);
    EXPECT_EQ(f.like, "like SMT siblings");
    EXPECT_EQ(f.relation, Relation::kL3);
  }
  EXPECT_NE(s.findings[0].text.find("PUs 0 and 8 answer in 11 ns, like SMT siblings, but hwloc "
                                    "shows separate cores that share an L3: the host may share "
                                    "a core between these vCPUs"),
            std::string::npos)
      << s.findings[0].text;
  ASSERT_EQ(s.closer_groups.size(), 8u);
  EXPECT_EQ(s.closer_groups[0], (std::vector<int>{0, 8}));
  EXPECT_EQ(s.pin_list, "list:0-7");
  EXPECT_NE(s.advice.find("--pin list:0-7"), std::string::npos) << s.advice;
}

TEST(Structure, AMatrixThatMatchesTheTreeGivesNoFinding) {
  // 2 packages of 4 cores with 2 threads: SMT 7 ns, one L3 24 ns, across packages 130 ns.
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 0.05);
  const auto pairs = matrix("pack:2 l3:1 core:4 pu:2", [&](PairLatency& p) {
    const double ns = p.relation == Relation::kSmt ? 7 : p.relation == Relation::kL3 ? 24 : 130;
    with_interval(p, ns * std::exp(noise(rng)), 0.03);
  });
  const StructureReport s = compare_with_tree(pairs);
  EXPECT_TRUE(s.findings.empty()) << s.findings.front().text;
  ASSERT_EQ(s.levels.size(), 3u);
  EXPECT_EQ(s.levels[0].home_of, (std::vector<Relation>{Relation::kSmt}));
  EXPECT_EQ(s.levels[1].home_of, (std::vector<Relation>{Relation::kL3}));
  EXPECT_EQ(s.levels[2].home_of, (std::vector<Relation>{Relation::kOther}));
  EXPECT_TRUE(s.pin_list.empty());
}

TEST(Structure, NoiseDoesNotInventFindings) {
  // A flat machine with noisy pairs (lognormal, 15%) and wide intervals, under 50 seeds; and one
  // pair twice as slow whose interval reaches back into the others'.
  for (int seed = 0; seed < 50; ++seed) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    std::normal_distribution<double> noise(0, 0.15);
    auto pairs = matrix("pack:1 l3:1 core:16 pu:1",
                        [&](PairLatency& p) { with_interval(p, 50 * std::exp(noise(rng)), 0.1); });
    pairs[5].median_ns = 140;
    pairs[5].low_ns = 60;  // One disturbed round: the median moved, the interval says so.
    pairs[5].high_ns = 200;
    const StructureReport s = compare_with_tree(pairs);
    EXPECT_TRUE(s.findings.empty()) << "seed " << seed << ": " << s.findings.front().text;
  }
}

TEST(Structure, APairSlowerThanItsRelationIsFoundToo) {
  // 2 packages of 4 cores: one pair of package 0 answers like PUs of different packages.
  const auto pairs = matrix("pack:2 l3:1 core:4 pu:1", [&](PairLatency& p) {
    const bool odd = p.a == 0 && p.b == 1;
    with_interval(p, odd || p.relation == Relation::kOther ? 130 : 24, 0.03);
  });
  const StructureReport s = compare_with_tree(pairs);
  ASSERT_EQ(s.findings.size(), 1u);
  EXPECT_EQ(s.findings[0].kind, StructureFinding::Kind::kFarther);
  EXPECT_EQ(s.findings[0].like, "like PUs of different packages");
  EXPECT_NE(s.findings[0].text.find("though hwloc shows separate cores that share an L3"),
            std::string::npos)
      << s.findings[0].text;
  EXPECT_TRUE(s.pin_list.empty());  // Nothing to keep apart.
}

TEST(Structure, OnePairOrNoneIsNothingToCompare) {
  EXPECT_TRUE(compare_with_tree({}).levels.empty());
  const std::vector<PairLatency> one{PairLatency{0, 1, Relation::kL3, 48.5, 48.3, 49.1}};
  const StructureReport s = compare_with_tree(one);
  ASSERT_EQ(s.levels.size(), 1u);
  EXPECT_TRUE(s.findings.empty());
}

TEST(LatencyReport, TheSummaryAndRunContextCarryTheFindingsAndTheAdvice) {
  // A flat 16-PU machine whose pairs (i, i+8) answer in 11 ns, as a map's samples.
  const MachineView m = Topology::from_spec("pack:1 l3:1 core:16 pu:1").view();
  LatencyRunInfo run;
  run.run_id = "test";
  run.options = parse_options(std::vector<std::string_view>{"--latency"});
  run.node.host = "vm";
  run.node.pus = 16;
  run.node.ranks = 2;
  run.machine = m;
  run.pairs = plan_pairs(m, parse_pairs("all"));
  std::vector<LatencySample> samples;
  for (std::size_t p = 0; p < run.pairs.size(); ++p) {
    const double ns = run.pairs[p].b == run.pairs[p].a + 8 ? 11 : 50;
    for (int k = 0; k < 6; ++k) {
      samples.push_back(sample_of(static_cast<int>(p), k / 2, k, ns * (1 + 0.001 * k), k % 2));
    }
  }
  const LatencyFigures f = compute_latency_figures(run.pairs, samples, 1000);
  const std::string summary = format_latency_summary(run, f, "x.csv", "x.json");
  EXPECT_NE(summary.find("  - PUs 0 and 8 answer in 11 ns, like SMT siblings, but hwloc shows "
                         "separate cores that share an L3: the host may share a core between "
                         "these vCPUs\n"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("  8 findings (PUs as L#):"), std::string::npos);
  EXPECT_NE(summary.find("  what to do: to keep ranks off PUs that answered closer than hwloc "
                         "shows, run with --pin list:0-7"),
            std::string::npos);
  EXPECT_NE(summary.find("same L3 50.1 ns ["), std::string::npos) << summary;  // 112 at ~50.
  EXPECT_NE(
      summary.find("matrix (median one-way ns; PUs L#; '.' = not measured):\n           0     1"),
      std::string::npos);
  EXPECT_NE(summary.find("per pair: 120 pairs: in the run context"), std::string::npos);
  EXPECT_EQ(summary.find("the map supports"), std::string::npos);  // No likwid view to weigh.
  EXPECT_NE(format_latency_context_json(run, Provenance{}, f, "x.csv")
                .find("\"views\": \"\", \"supports\": \"\"}"),
            std::string::npos);
  // Where likwid-topology saw the machine otherwise, the summary names the view the map fits.
  run.node.noise = {{"topology_views",
                     "likwid-topology disagrees with hwloc: last-level cache: likwid-topology "
                     "says 2 L3 groups, hwloc 1"}};
  const std::string views = format_latency_summary(run, f, "x.csv", "x.json");
  EXPECT_NE(views.find("  likwid-topology disagrees with hwloc: last-level cache"),
            std::string::npos);
  EXPECT_NE(views.find("  the map supports neither view alone: some pairs answered off their "
                       "hwloc relation's level"),
            std::string::npos);
  const std::string json = format_latency_context_json(run, Provenance{}, f, "x.csv");
  // The run context says the same (latency.structure views and supports).
  EXPECT_NE(json.find("\"views\": \"likwid-topology disagrees with hwloc: last-level cache: "
                      "likwid-topology says 2 L3 groups, hwloc 1\", \"supports\": \"neither "
                      "view alone: some pairs answered off their hwloc relation's level"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"mode\": \"latency\""), std::string::npos);
  EXPECT_NE(json.find("\"pin\": \"list:0-7\""), std::string::npos);
  EXPECT_NE(json.find("\"kind\": \"closer\", \"a\": 0, \"b\": 8, \"relation\": \"l3\""),
            std::string::npos);
  EXPECT_NE(json.find("\"config\": {\"ranks\": 2, \"share\": \"sysv\", \"pairs\": \"all\", "
                      "\"samples\": 300"),
            std::string::npos);
  EXPECT_EQ(json.find("\"kernel\""), std::string::npos);  // No counting parameter.
  const std::string csv = format_latency_csv(run, samples);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "run_id,host,share,pair,a_logical,b_logical,a_os,b_os,relation,direction,round,"
            "sample,round_trips,time_ns,one_way_ns,ok,placed_ok,disturbed");
  EXPECT_NE(csv.find("\ntest,vm,sysv,7,0,8,0,8,l3,ab,0,0,1000,22000,11.000,1,1,0\n"),
            std::string::npos);
}

}  // namespace
}  // namespace shmcount
