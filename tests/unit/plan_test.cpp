// Placement planning on machines CI cannot see: hwloc XML fixtures and synthetic topologies.
#include "placement/plan.hpp"

#include <gtest/gtest.h>

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

std::vector<const PuInfo*> placed(const MachineView& m, int ranks, const std::string& pin) {
  std::vector<const PuInfo*> out;
  for (const auto& p : plan_placement(m, ranks, parse_strategy(pin))) {
    out.push_back(m.find_logical(p.planned_pu));
  }
  return out;
}

TEST(Topology, FixturesReadAsTheirShape) {
  const MachineView laptop = fixture("laptop-1p4c8t-intel");
  EXPECT_EQ(laptop.summary, "1 package, 1 NUMA node, 4 cores, 8 PUs");
  EXPECT_EQ(laptop.pus[1].pu_os, 4);  // Intel numbering: SMT siblings are P#i and P#i+4.
  EXPECT_EQ(laptop.pus[1].core, 0);
  EXPECT_EQ(laptop.pus[1].smt, 1);
  EXPECT_EQ(fixture("dual-2p16c32t-intel").summary, "2 packages, 2 NUMA nodes, 16 cores, 32 PUs");
  EXPECT_EQ(fixture("epyc-2p8numa64c128t-amd").summary,
            "2 packages, 8 NUMA nodes, 64 cores, 128 PUs");
}

TEST(Plan, CompactFillsTheThreadsOfACoreFirst) {
  const MachineView m = fixture("laptop-1p4c8t-intel");
  const auto pus = placed(m, 3, "compact");
  EXPECT_EQ(pus[0]->core, 0);
  EXPECT_EQ(pus[1]->core, 0);  // Ranks 0 and 1 on the two threads of core 0...
  EXPECT_EQ(pus[0]->pu_os, 0);
  EXPECT_EQ(pus[1]->pu_os, 4);  // ...which the kernel numbers 0 and 4.
  EXPECT_EQ(pus[2]->core, 1);
}

TEST(Plan, CoreUsesEveryCoreBeforeAnySibling) {
  const MachineView m = fixture("laptop-1p4c8t-intel");
  const auto pus = placed(m, 6, "core");
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(pus[r]->core, r);
    EXPECT_EQ(pus[r]->smt, 0);
  }
  EXPECT_EQ(pus[4]->core, 0);
  EXPECT_EQ(pus[4]->smt, 1);
  EXPECT_EQ(pus[5]->core, 1);
}

TEST(Plan, ScatterAlternatesPackagesOnDistinctCores) {
  const MachineView m = fixture("dual-2p16c32t-intel");
  const auto pus = placed(m, 4, "scatter");
  EXPECT_EQ(pus[0]->package, 0);
  EXPECT_EQ(pus[1]->package, 1);
  EXPECT_EQ(pus[2]->package, 0);
  EXPECT_EQ(pus[3]->package, 1);
  std::set<int> cores;
  for (auto* pu : pus) cores.insert(pu->core);
  EXPECT_EQ(cores.size(), 4u);
  for (auto* pu : pus) EXPECT_EQ(pu->smt, 0);
}

TEST(Plan, ScatterSpreadsOverPackagesThenNumaThenCaches) {
  const MachineView m = fixture("epyc-2p8numa64c128t-amd");
  const auto pus = placed(m, 16, "scatter");
  std::set<int> numa_of_first8, l3_of_16;
  for (int r = 0; r < 8; ++r) numa_of_first8.insert(pus[r]->numa);
  EXPECT_EQ(numa_of_first8.size(), 8u);  // 8 ranks: one per NUMA node.
  for (int r = 0; r < 16; ++r) l3_of_16.insert(pus[r]->cache);
  EXPECT_EQ(l3_of_16.size(), 16u);  // 16 ranks: one per L3.
  for (int r = 0; r < 16; ++r) EXPECT_EQ(pus[r]->package, r % 2);
}

TEST(Plan, CoreAndScatterUseSiblingsOnlyWhenEveryCoreHasARank) {
  const MachineView m = fixture("dual-2p16c32t-intel");
  for (const char* pin : {"core", "scatter"}) {
    const auto pus = placed(m, 32, pin);
    std::set<int> first_cores;
    for (int r = 0; r < 16; ++r) {
      first_cores.insert(pus[r]->core);
      EXPECT_EQ(pus[r]->smt, 0) << pin;
    }
    EXPECT_EQ(first_cores.size(), 16u) << pin;
    std::set<int> all;
    for (auto* pu : pus) all.insert(pu->pu_logical);
    EXPECT_EQ(all.size(), 32u) << pin;  // 32 ranks, 32 PUs: nobody shares.
  }
}

TEST(Plan, MoreRanksThanPusShareRoundRobinAndAreFlagged) {
  const MachineView m = fixture("laptop-1p4c8t-intel");
  const auto plan = plan_placement(m, 10, parse_strategy("core"));
  const auto first = plan_placement(m, 8, parse_strategy("core"));
  EXPECT_EQ(plan[8].planned_pu, first[0].planned_pu);
  EXPECT_EQ(plan[9].planned_pu, first[1].planned_pu);
  int shared = 0;
  for (const auto& p : plan) shared += p.oversubscribed ? 1 : 0;
  EXPECT_EQ(shared, 4);  // Ranks 0, 1, 8 and 9.
  EXPECT_TRUE(plan[0].oversubscribed);
  EXPECT_FALSE(plan[2].oversubscribed);
  for (const auto& p : first) EXPECT_FALSE(p.oversubscribed);
}

TEST(Plan, ListTakesLogicalIndicesByLocalRank) {
  const MachineView m = fixture("laptop-1p4c8t-intel");
  const auto plan = plan_placement(m, 3, parse_strategy("list:7,2-3"));
  EXPECT_EQ(plan[0].planned_pu, 7);
  EXPECT_EQ(plan[1].planned_pu, 2);
  EXPECT_EQ(plan[2].planned_pu, 3);
}

TEST(Plan, ListErrorsNameTheProblem) {
  const MachineView m = fixture("laptop-1p4c8t-intel");
  auto message = [&](const std::string& pin, int ranks) -> std::string {
    try {
      plan_placement(m, ranks, parse_strategy(pin));
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message("list:0,8", 2).find("PU L#8 is not on this node"), std::string::npos);
  EXPECT_NE(message("list:0,1", 3).find("names 2 PU(s) but the node has 3 ranks"),
            std::string::npos);
  EXPECT_NE(message("list:", 1).find("empty"), std::string::npos);
  EXPECT_NE(message("list:0,,1", 1).find("'' is not"), std::string::npos);
  EXPECT_NE(message("list:a", 1).find("'a' is not"), std::string::npos);
  EXPECT_NE(message("list:3-1", 1).find("reversed"), std::string::npos);
  EXPECT_NE(message("list:1,0-2", 1).find("PU 1 is listed twice"), std::string::npos);
  EXPECT_NE(message("list:-1", 1).find("not a logical PU"), std::string::npos);
  EXPECT_NE(message("list:0-65536", 1).find("below 65536"), std::string::npos);
}

TEST(Plan, HugeListRangesParseFast) {
  // Found by the fuzzer: a quadratic duplicate check made this take minutes.
  const Strategy s = parse_strategy("list:0-65535");
  EXPECT_EQ(s.list.size(), 65536u);
  EXPECT_THROW(parse_strategy("list:0-65535,7"), Error);
}

TEST(Plan, NoneAndLauncherPlanNoPu) {
  const MachineView m = fixture("laptop-1p4c8t-intel");
  for (const char* pin : {"none", "launcher"}) {
    const auto plan = plan_placement(m, 9, parse_strategy(pin));
    for (const auto& p : plan) {
      EXPECT_EQ(p.planned_pu, -1);
      EXPECT_TRUE(p.oversubscribed);  // 9 ranks, 8 PUs.
    }
  }
}

TEST(Plan, RestrictedCpusetPlansOnlyAllowedPus) {
  // A cgroup that allows the second thread of each core and core 3 whole (P#3, P#4-7).
  Topology topo = Topology::from_spec(kData + "/topologies/laptop-1p4c8t-intel.xml");
  topo.restrict_to_os({3, 4, 5, 6, 7});
  const MachineView m = topo.view();
  ASSERT_EQ(m.pus.size(), 5u);
  const auto plan = plan_placement(m, 5, parse_strategy("core"));
  std::set<int> os;
  for (const auto& p : plan) os.insert(m.find_logical(p.planned_pu)->pu_os);
  EXPECT_EQ(os, (std::set<int>{3, 4, 5, 6, 7}));
  // The first four ranks take four distinct cores; the fifth the remaining sibling.
  std::set<int> cores;
  for (int r = 0; r < 4; ++r) cores.insert(m.find_logical(plan[r].planned_pu)->core);
  EXPECT_EQ(cores.size(), 4u);
}

TEST(Plan, SyntheticTopologiesWork) {
  const MachineView m = Topology::from_spec("pack:2 numa:2 core:4 pu:2").view();
  EXPECT_EQ(m.summary, "2 packages, 4 NUMA nodes, 16 cores, 32 PUs");
  const auto pus = placed(m, 4, "scatter");
  EXPECT_EQ(pus[0]->numa, 0);
  EXPECT_EQ(pus[1]->numa, 2);  // The other package first...
  EXPECT_EQ(pus[2]->numa, 1);  // ...then the other NUMA node of the first.
  EXPECT_EQ(pus[3]->numa, 3);
}

TEST(Topology, BadSpecsAreRefusedWithAHint) {
  EXPECT_THROW(Topology::from_spec("pack:two"), Error);
  EXPECT_THROW(Topology::from_spec(kData + "/topologies/README-not-there.xml"), Error);
  try {
    Topology::from_spec("bogus");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("synthetic"), std::string::npos);
  }
}

TEST(Strategy, TableNamesParse) {
  for (const auto& s : strategy_table()) {
    if (s.kind == StrategyKind::kList) continue;
    EXPECT_EQ(parse_strategy(s.name).kind, s.kind);
  }
  EXPECT_THROW(parse_strategy("list"), Error);
  EXPECT_THROW(parse_strategy("Core"), Error);
}

}  // namespace
}  // namespace shmcount
