// The memory axis: option values, memory policies planned on machines CI cannot see, the
// mechanism and probe tables, and what the kernel reports back about pages and footprint here.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "common/error.hpp"
#include "memory/mechanisms.hpp"
#include "memory/need.hpp"
#include "memory/pages.hpp"
#include "memory/probes.hpp"
#include "memory/request.hpp"
#include "placement/plan.hpp"
#include "placement/topology.hpp"

namespace shmcount {
namespace {

const std::string kTopologies = std::string(SHMCOUNT_TEST_DATA) + "/topologies/";

std::string refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(MemoryOptions, ValuesParseAndBadOnesSayWhatIsAllowed) {
  EXPECT_EQ(parse_pages("huge"), PageKind::kHuge);
  EXPECT_EQ(parse_touch("ranks"), TouchKind::kRanks);
  EXPECT_EQ(parse_mempolicy("bind:0-2,5").nodes, (std::vector<int>{0, 1, 2, 5}));
  // Every number is the number written: decimal (010 is ten), never truncated.
  EXPECT_EQ(parse_mempolicy("bind:010").nodes, (std::vector<int>{10}));
  EXPECT_EQ(parse_mempolicy("bind:08").nodes, (std::vector<int>{8}));
  EXPECT_NE(refusal([] { parse_mempolicy("bind:4294967296"); }).find("below 65536"),
            std::string::npos);
  EXPECT_NE(refusal([] { parse_mempolicy("bind:1-0"); }).find("reversed; write it as 0-1"),
            std::string::npos);
  EXPECT_EQ(parse_mempolicy("interleave").kind, PolicyKind::kInterleave);
  EXPECT_EQ(parse_mempolicy("default").kind, PolicyKind::kDefault);
  EXPECT_NE(refusal([] {
              parse_pages("Huge");
            }).find("unknown page kind (did you mean huge?); use one of small, huge, thp"),
            std::string::npos);
  EXPECT_NE(refusal([] { parse_touch(""); }).find("unknown toucher; use one of leader, ranks"),
            std::string::npos);
  for (const char* bad :
       {"bind", "bind:", "bind:x", "bind:1-", "interleave:,1", "default:0", "bind:0;rm", "spread",
        "bind:0,0", "interleave:0-2,1", "bind:-1", "bind:1-0", "bind:4294967296",
        "bind:18446744073709551617", "interleave:0,,1", "bind:0x1", "bind: 1"}) {
    EXPECT_NE(refusal([&] { parse_mempolicy(bad); }), "") << bad;
  }
}

TEST(MemPolicyPlan, NamesTheOsNodesOfLogicalNumaNodesOnAnEightNodeMachine) {
  const Topology epyc = Topology::from_spec(kTopologies + "epyc-2p8numa64c128t-amd.xml");
  EXPECT_EQ(plan_mempolicy(epyc, parse_mempolicy("interleave")).os_nodes, "0-7");
  const PolicyPlan bind = plan_mempolicy(epyc, parse_mempolicy("bind:3,5"));
  EXPECT_EQ(bind.kind, PolicyKind::kBind);
  EXPECT_EQ(bind.os_nodes, "3,5");
  EXPECT_NE(bind.description.find("bind to NUMA node(s) 3,5"), std::string::npos);
  const std::string why = refusal([&] { plan_mempolicy(epyc, parse_mempolicy("bind:8")); });
  EXPECT_NE(why.find("has no NUMA node 8; it has 8 (logical 0-7"), std::string::npos) << why;
  EXPECT_TRUE(plan_mempolicy(epyc, MemPolicy{}).os_nodes.empty());
}

TEST(MemPolicyPlan, LogicalAndOsIndicesDifferWhereTheMachineNumbersThemApart) {
  // A synthetic machine whose NUMA nodes have OS indices in reverse order.
  const Topology t = Topology::from_spec("pack:2 [numa(indexes=1,0)] core:2 pu:1");
  EXPECT_EQ(plan_mempolicy(t, parse_mempolicy("bind:0")).os_nodes, "1");
}

// Captured in the NUMA guest (scripts/numa_vm.py --topology memory-tiers): OS node 0 with PUs
// and memory, OS node 1 with PUs and no memory, OS node 2 with memory and no PUs; hwloc 2.9
// numbers them L#0 (OS 0), L#1 (OS 2), L#2 (OS 1).
TEST(MemPolicyPlan, ANodeWithoutMemoryIsRefusedAndLeftOutOfPlainInterleave) {
  const Topology t = Topology::from_spec(kTopologies + "guest-memory-tiers.xml");
  EXPECT_EQ(usable_numa_nodes(t), "0-1");
  EXPECT_EQ(numa_memory_refusal(t, 1), "");
  const std::string why = refusal([&] { plan_mempolicy(t, parse_mempolicy("bind:2")); });
  EXPECT_NE(why.find("NUMA node 2 (OS 1) has no memory (a node of PUs only); nodes whose "
                     "memory may be used here: 0-1"),
            std::string::npos)
      << why;
  EXPECT_NE(
      refusal([&] { plan_mempolicy(t, parse_mempolicy("interleave:0,2")); }).find("no memory"),
      std::string::npos);
  const PolicyPlan all = plan_mempolicy(t, parse_mempolicy("interleave"));
  EXPECT_EQ(all.os_nodes, "0,2");
  EXPECT_NE(all.description.find("left out: NUMA node 2 (OS 1) has no memory"), std::string::npos)
      << all.description;
  EXPECT_EQ(plan_mempolicy(t, parse_mempolicy("bind:1")).os_nodes, "2");  // Memory, no PUs.
}

TEST(MemPolicyPlan, ANodeOutsideTheCpusetMemsIsRefusedWithItsCause) {
  // The same guest inside a cgroup whose cpuset.mems is 0.
  const Topology t = Topology::from_spec(kTopologies + "guest-memory-tiers-mems0.xml");
  EXPECT_EQ(usable_numa_nodes(t), "0");
  const std::string why = refusal([&] { plan_mempolicy(t, parse_mempolicy("bind:1")); });
  EXPECT_NE(why.find("NUMA node 1 (OS 2) is outside this process's cpuset.mems (allowed: OS 0); "
                     "nodes whose memory may be used here: 0"),
            std::string::npos)
      << why;
  EXPECT_EQ(plan_mempolicy(t, parse_mempolicy("interleave")).os_nodes, "0");
}

TEST(Domains, ListEveryNodesMemoryTheMemoryOnlyOneToo) {
  const Topology t = Topology::from_spec(kTopologies + "guest-memory-tiers.xml");
  const std::string text = format_domains(t.view(), "guest");
  EXPECT_NE(text.find("NUMA 0(0) 376 MiB; NUMA 1(2) 206 MiB; NUMA 2(1) no memory*"),
            std::string::npos)
      << text;
}

TEST(Mechanisms, OneEntryEachFindableByNameSysvFirst) {
  std::set<std::string_view> names;
  for (const auto& m : mechanism_table()) {
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    EXPECT_EQ(find_mechanism(m.name), &m);
    EXPECT_FALSE(m.description.empty());
    EXPECT_EQ(m.huge_pages, m.no_huge_pages_why.empty()) << m.name;
  }
  EXPECT_EQ(mechanism_table().front().name, "sysv");
  EXPECT_EQ(find_mechanism("mmap"), nullptr);
  EXPECT_FALSE(find_mechanism("private")->shared);
}

TEST(Mechanisms, HugePageAllocationsAreWholePages) {
  const std::size_t huge = huge_page_size();
  if (huge == 0) GTEST_SKIP() << "this kernel has no huge pages";
  EXPECT_EQ(mapped_bytes_for(200000, PageKind::kHuge), huge);
  EXPECT_EQ(mapped_bytes_for(huge / 4 + 1, PageKind::kHuge), 2 * huge);
  EXPECT_EQ(mapped_bytes_for(200000, PageKind::kSmall), 800000u);
}

// What is too big, and the option that fixes it (issue 28: a small /dev/shm refused for the count
// tables said "the array needs 384 MiB ... use a smaller --size").
SizeNeed padded_tables(std::uint64_t elements) {
  SizeNeed need;
  need.elements = elements;
  need.array_bytes = elements * 4;
  need.counts_bytes = (std::size_t{16777216} * 8) * 3;
  need.counts_mode = "padded";
  need.values = 16777216;
  need.ranks = 3;
  return need;
}

TEST(SizeNeeds, TheCountTablesAreNamedWhenTheyAreWhatIsTooBig) {
  const SizeNeed need = padded_tables(1000);
  EXPECT_EQ(need.needs(),
            "the shared memory needs 384.0 MiB: the count tables 384.0 MiB (--counts padded: "
            "16777216 values x 3 ranks) and the array 4 KiB (--size 1000)");
  const double room = 64.0 * (1 << 20);
  EXPECT_EQ(use(need.fixes(room)),
            "use a smaller --values or --counts private (the counts in each rank's own memory)");
}

TEST(SizeNeeds, TheArrayAloneNamesOnlyTheArrayAndSize) {
  SizeNeed need;
  need.elements = 30000000;
  need.array_bytes = 120000000;
  EXPECT_EQ(need.needs(), "the array (--size 30000000) needs 114.4 MiB");
  EXPECT_EQ(use(need.fixes(64.0 * (1 << 20))), "use a smaller --size");
}

TEST(SizeNeeds, BothTooBigNamesBothOptionsTogether) {
  const SizeNeed need = padded_tables(20000000);  // 76 MiB of array, 384 MiB of tables.
  EXPECT_EQ(use(need.fixes(64.0 * (1 << 20))),
            "use a smaller --size and a smaller --values (or --counts private)");
  // Either alone could make it fit: the larger part's options first.
  EXPECT_EQ(use(need.fixes(500.0 * (1 << 20))),
            "use a smaller --values, --counts private (the counts in each rank's own memory), or "
            "a smaller --size");
}

TEST(SizeNeeds, AnArrayTooBigBesideSmallTablesNamesSize) {
  SizeNeed need = padded_tables(30000000);
  need.values = 1000;
  need.counts_bytes = 3 * 8000;
  EXPECT_EQ(use(need.fixes(64.0 * (1 << 20))), "use a smaller --size");
}

TEST(SizeNeeds, TheNodesMemoryNamesPrivateCopiesAndOwnCounts) {
  SizeNeed need;
  need.elements = 1u << 30;
  need.array_bytes = std::size_t{4} << 30;
  need.copies = 4;
  need.counts_mode = "private";
  need.values = 1000;
  need.ranks = 4;
  need.counts_bytes = 4 * 8000;
  const double memory = 8.0 * (1 << 30);
  EXPECT_EQ(memory_refusal(need, memory),
            "this node has 8192.0 MiB of memory, and the run needs 16.0 GiB: the array's 4 private "
            "copies 16.0 GiB (--size 1073741824, --share private) and the ranks' own counts 31 KiB "
            "(--counts private: 1000 values x 4 ranks), more than 80% of it; use a smaller --size "
            "or a shared --share (sysv, posix or window: one copy for the node)");
  need.copies = 1;
  need.array_bytes = 4096;
  need.values = 16777216;
  need.counts_bytes = std::size_t{16777216} * 8 * 64;  // 64 ranks' own counts: 8 GiB.
  need.ranks = 64;
  EXPECT_NE(memory_refusal(need, memory).find("use a smaller --values"), std::string::npos)
      << memory_refusal(need, memory);
  EXPECT_EQ(memory_refusal(need, memory).find("--counts private ("), std::string::npos);
  EXPECT_EQ(memory_refusal(need, 100.0 * (1 << 30)), "");
}

TEST(Probes, OneColumnEachWithADescription) {
  std::set<std::string_view> columns;
  for (const auto& p : probe_table()) {
    EXPECT_TRUE(columns.insert(p.column).second) << p.column;
    EXPECT_FALSE(p.description.empty());
  }
  for (const char* required : {"page_size", "array_local_pct", "array_pss_kib", "pss_kib"}) {
    EXPECT_TRUE(columns.count(required)) << required;
  }
}

TEST(Probes, ReadBackPagesAndFootprintOfARealMapping) {
  const std::size_t bytes = 64 * 4096;
  // Between inaccessible pages, so that the kernel does not merge it with a neighbour.
  char* reserve = static_cast<char*>(
      ::mmap(nullptr, bytes + 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(static_cast<void*>(reserve), MAP_FAILED);
  void* data = ::mmap(reserve + 4096, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  ASSERT_NE(data, MAP_FAILED);
  std::memset(data, 1, bytes);  // Touch every page.
  const Topology here = Topology::this_system();
  const PageCounts pages = count_pages(here, data, bytes);
  if (pages.known) {
    EXPECT_EQ(pages.total(), 64);
    EXPECT_EQ(pages.absent, 0);
  }
  const MappingInfo m = read_mapping(data);
  EXPECT_TRUE(m.found);
  EXPECT_EQ(m.pss_kib, 256);  // Private and touched: every page counts whole.
  EXPECT_EQ(m.kernel_page_kib, static_cast<long>(::sysconf(_SC_PAGESIZE) / 1024));
  ::munmap(reserve, bytes + 2 * 4096);
}

}  // namespace
}  // namespace shmcount
