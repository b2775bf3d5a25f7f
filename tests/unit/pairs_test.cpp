// The latency map's pair planner and hwloc relations, on machines CI cannot see: hwloc XML
// fixtures and synthetic topologies up to 400 PUs.
#include "placement/pairs.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "placement/topology.hpp"

namespace shmcount {
namespace {

const std::string kData = SHMCOUNT_TEST_DATA;

MachineView fixture(const std::string& name) {
  return Topology::from_spec(kData + "/topologies/" + name + ".xml").view();
}

std::vector<PuPair> plan(const MachineView& m, const std::string& pairs) {
  return plan_pairs(m, parse_pairs(pairs));
}

std::map<Relation, int> per_relation(const std::vector<PuPair>& pairs) {
  std::map<Relation, int> out;
  for (const auto& p : pairs) ++out[p.relation];
  return out;
}

Relation relation(const MachineView& m, int a, int b) {
  return relation_of(m, m.all_pus[static_cast<std::size_t>(a)],
                     m.all_pus[static_cast<std::size_t>(b)]);
}

TEST(Relation, IsTheDeepestLevelTwoPusShare) {
  // 2 packages (a NUMA node and an L3 each) of 8 cores with 2 threads: L#0 and L#1 are the threads
  // of core 0, L#2 the first thread of core 1, L#16 package 1's first PU.
  const MachineView dual = fixture("dual-2p16c32t-intel");
  EXPECT_EQ(relation(dual, 0, 1), Relation::kSmt);
  EXPECT_EQ(relation(dual, 0, 2), Relation::kL3);
  EXPECT_EQ(relation(dual, 0, 16), Relation::kOther);
  // Per package 2 L2s, each shared by 2 cores, no SMT; one NUMA node for the whole machine, so
  // the two packages are "other", not "same NUMA node".
  const MachineView xeon = fixture("xeon-2p4l2-8c-shared-l2");
  EXPECT_EQ(relation(xeon, 0, 1), Relation::kL2);
  EXPECT_EQ(relation(xeon, 0, 2), Relation::kPackage);
  EXPECT_EQ(relation(xeon, 0, 4), Relation::kOther);
  // NUMA nodes that hold two packages each: other packages of one node share the NUMA node.
  const MachineView itanium = fixture("itanium-2n4p8c-numa-holds-packages");
  EXPECT_EQ(relation(itanium, 0, 1), Relation::kPackage);
  EXPECT_EQ(relation(itanium, 0, 2), Relation::kNuma);
  EXPECT_EQ(relation(itanium, 0, 4), Relation::kOther);
  // 2 packages x 4 NUMA nodes x 2 L3 x 4 cores x 2 threads.
  const MachineView epyc = fixture("epyc-2p8numa64c128t-amd");
  EXPECT_EQ(relation(epyc, 0, 1), Relation::kSmt);
  EXPECT_EQ(relation(epyc, 0, 2), Relation::kL3);
  EXPECT_EQ(relation(epyc, 0, 8), Relation::kNuma);
  EXPECT_EQ(relation(epyc, 0, 16), Relation::kPackage);
  EXPECT_EQ(relation(epyc, 0, 64), Relation::kOther);
}

TEST(Pairs, AllIsEveryPairOfUsablePusWithItsRelation) {
  const auto pairs = plan(fixture("dual-2p16c32t-intel"), "all");
  EXPECT_EQ(pairs.size(), 32u * 31 / 2);
  const auto n = per_relation(pairs);
  EXPECT_EQ(n.at(Relation::kSmt), 16);
  EXPECT_EQ(n.at(Relation::kL3), 2 * (16 * 15 / 2 - 8));
  EXPECT_EQ(n.at(Relation::kOther), 16 * 16);
  std::set<std::pair<int, int>> seen;
  for (const auto& p : pairs) {
    EXPECT_LT(p.a, p.b);
    EXPECT_TRUE(seen.insert({p.a, p.b}).second);
    EXPECT_TRUE(p.usable);
  }
}

TEST(Pairs, CoresTakesOnePuPerCoreAndTheThreadsOfOneCore) {
  const MachineView m = fixture("dual-2p16c32t-intel");
  const auto pairs = plan(m, "cores");
  EXPECT_EQ(pairs.size(), 16u * 15 / 2 + 1);
  const auto n = per_relation(pairs);
  EXPECT_EQ(n.at(Relation::kSmt), 1);  // L#0 with L#1, the threads of core 0.
  EXPECT_EQ(n.at(Relation::kL3), 2 * 8 * 7 / 2);
  EXPECT_EQ(n.at(Relation::kOther), 8 * 8);
  for (const auto& p : pairs) {
    if (p.relation == Relation::kSmt) continue;
    EXPECT_EQ(m.all_pus[static_cast<std::size_t>(p.a)].smt, 0);
    EXPECT_EQ(m.all_pus[static_cast<std::size_t>(p.b)].smt, 0);
  }
  // Without SMT, cores is all.
  EXPECT_EQ(plan(fixture("device-16core-flat"), "cores").size(), 16u * 15 / 2);
}

TEST(Pairs, DomainsTakeOnePuPerDomainAndASampleInsideEach) {
  // 16 domains (package x NUMA node x L3): every pair of their first PUs, and inside each its
  // first PU with its SMT sibling and with a PU of another core of the L3.
  const auto pairs = plan(fixture("epyc-2p8numa64c128t-amd"), "domains");
  EXPECT_EQ(pairs.size(), 16u * 15 / 2 + 16 * 2);
  const auto n = per_relation(pairs);
  EXPECT_EQ(n.at(Relation::kSmt), 16);
  EXPECT_EQ(n.at(Relation::kL3), 16);
  EXPECT_EQ(n.at(Relation::kNuma), 4 * 2);      // The 2 L3 of each of the 8 NUMA nodes.
  EXPECT_EQ(n.at(Relation::kPackage), 2 * 24);  // 8 domains per package: 28 pairs, 4 same NUMA.
  EXPECT_EQ(n.at(Relation::kOther), 8 * 8);
  // Every relation of the machine shows in the sample.
  EXPECT_EQ(n.size(), 5u);
}

TEST(Pairs, ListsNameLogicalPusOrPairs) {
  const MachineView m = fixture("laptop-1p4c8t-intel");
  const auto among = plan(m, "0,2-3");
  ASSERT_EQ(among.size(), 3u);
  EXPECT_EQ(among[0].a, 0);
  EXPECT_EQ(among[0].b, 2);
  EXPECT_EQ(among[2].a, 2);
  EXPECT_EQ(among[2].b, 3);
  EXPECT_EQ(among[2].relation, Relation::kSmt);  // L#2 and L#3: the threads of core 1.
  EXPECT_EQ(among[2].a_os, 1);                   // Intel numbering: P#1 and P#5.
  EXPECT_EQ(among[2].b_os, 5);
  const auto exact = plan(m, "7:0,1:2");
  ASSERT_EQ(exact.size(), 2u);
  EXPECT_EQ(exact[0].a, 0);  // In logical order, each pair a before b.
  EXPECT_EQ(exact[0].b, 7);
  EXPECT_EQ(exact[1].relation, Relation::kL3);
}

TEST(Pairs, BadListsAreRefusedWithWhatIsAllowed) {
  for (const char* bad :
       {"", "some", "0", "1,1", "3-1", "0:0", "0:1,1:0", "0:1:2", "0,1:2", "99999999999", "-1"}) {
    EXPECT_THROW(parse_pairs(bad), UsageError) << bad;
  }
  try {
    plan(fixture("laptop-1p4c8t-intel"), "0,9");
    FAIL() << "a PU the machine lacks was planned";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("PU L#9 does not exist: this machine has PUs L#0-7"),
              std::string::npos)
        << e.what();
  }
}

TEST(Pairs, APuThatMayNotBeUsedIsFlaggedNeverReplaced) {
  // A cgroup disallows P#5-6 and P#9-13 of this machine: all, cores and domains leave them out;
  // a list that names one keeps its pairs, flagged, to be skipped.
  const MachineView m = fixture("haswell-2p4n28c-cod-disallowed");
  int disallowed = -1;
  for (const auto& pu : m.all_pus) {
    if (!pu.usable) {
      disallowed = pu.pu_logical;
      break;
    }
  }
  ASSERT_GE(disallowed, 0);
  for (const char* mode : {"all", "cores", "domains"}) {
    for (const auto& p : plan(m, mode)) {
      EXPECT_TRUE(p.usable) << mode;
      EXPECT_NE(p.a, disallowed) << mode;
      EXPECT_NE(p.b, disallowed) << mode;
    }
  }
  EXPECT_EQ(plan(m, "all").size(), 21u * 20 / 2);
  const int usable = m.pus.front().pu_logical;
  const auto flagged = plan(m, std::to_string(usable) + ":" + std::to_string(disallowed));
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_FALSE(flagged[0].usable);
  EXPECT_NE(flagged[0].why_not.find("is not one this job may use"), std::string::npos)
      << flagged[0].why_not;
  EXPECT_EQ(pair_cost(flagged, 300, 1000).pairs, 0u);
}

TEST(Pairs, FourHundredPusPlanInUnderASecond) {
  const MachineView m = Topology::from_spec("pack:2 numa:2 l3:5 core:10 pu:2").view();
  ASSERT_EQ(m.pus.size(), 400u);
  const auto start = std::chrono::steady_clock::now();
  const auto all = plan(m, "all");
  const auto cores = plan(m, "cores");
  const auto domains = plan(m, "domains");
  const std::string text = format_pair_plan(m, all, parse_pairs("all"), "t", 300, 1000);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(all.size(), 400u * 399 / 2);
  EXPECT_EQ(cores.size(), 200u * 199 / 2 + 1);
  EXPECT_EQ(domains.size(), 20u * 19 / 2 + 20 * 2);
  EXPECT_LT(seconds, 1.0);
  EXPECT_NE(text.find("79800 pair(s) x 300 sample(s) x 1000 round trip(s)"), std::string::npos);
}

TEST(Pairs, TheCostCountsRoundTripsOfUsablePairs) {
  const auto pairs = plan(fixture("laptop-1p4c8t-intel"), "cores");
  const PairCost cost = pair_cost(pairs, 300, 1000);
  EXPECT_EQ(cost.pairs, 7u);
  EXPECT_EQ(cost.round_trips, 7u * 300 * 1000);
  // 2.1 million round trips: 8 ns to 400 ns each.
  EXPECT_NE(cost_estimate(cost).find("about 0.017 s at 8 ns"), std::string::npos)
      << cost_estimate(cost);
  EXPECT_NE(cost_estimate(cost).find("0.84 s at 400 ns"), std::string::npos) << cost_estimate(cost);
  EXPECT_EQ(duration_text(90), "90 s");
  EXPECT_EQ(duration_text(600), "10 min");
  EXPECT_EQ(duration_text(3 * 3600), "3.0 h");
}

}  // namespace
}  // namespace shmcount
