// Sinks: CSV schema and quoting, statistics, atomic files, and the summary's arithmetic.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "report/atomic_file.hpp"
#include "report/context.hpp"
#include "report/csv.hpp"
#include "report/stats.hpp"
#include "report/summary.hpp"

namespace shmcount {
namespace {

namespace fs = std::filesystem;

RunInfo two_rank_run() {
  RunInfo run;
  run.run_id = "id";
  run.ranks = 2;
  run.kernel = "naive";
  run.algorithm = "multi-pass";
  run.work_per_unit = 2e8;
  run.size = 200000;
  run.values = 1000;
  run.pattern = "seed";
  run.strategy = "core";
  run.reps = 2;
  run.nodes.push_back(NodeInfo{0, "host,with\"comma", "cpu", "1 package", "L1d:32768", 2, 2, ""});
  return run;
}

std::vector<Record> two_rank_records() {
  std::vector<Record> records;
  for (int rep = 0; rep < 2; ++rep) {
    for (int rank = 0; rank < 2; ++rank) {
      Record r;
      r.rank = rank;
      r.local_rank = rank;
      r.rep = rep;
      r.time_ns = (rank + 1) * 10'000'000 + rep * 1'000'000;  // Rank 1 is the slower one.
      records.push_back(r);
    }
    Record seq;
    seq.phase = Phase::kSequential;
    seq.rep = rep;
    seq.units = 2;
    seq.time_ns = 40'000'000;
    records.push_back(seq);
  }
  return records;
}

TEST(Csv, HeaderIsTheSchemaAndRowsMatchIt) {
  const std::string csv = format_csv(two_rank_run(), two_rank_records());
  std::istringstream in(csv);
  std::string header, row;
  std::getline(in, header);
  std::string expected;
  for (const auto& c : csv_schema())
    expected += (expected.empty() ? "" : ",") + std::string(c.name);
  EXPECT_EQ(header, expected);
  int rows = 0;
  while (std::getline(in, row)) ++rows;
  EXPECT_EQ(rows, 6);
  EXPECT_NE(csv.find("\"host,with\"\"comma\""), std::string::npos);  // RFC 4180 quoting.
  EXPECT_NE(csv.find(",sequential,"), std::string::npos);
}

TEST(Csv, SchemaHasTheDocumentedColumns) {
  std::set<std::string_view> names;
  for (const auto& c : csv_schema()) names.insert(c.name);
  for (const char* required :
       {"run_id",     "phase", "ranks",  "node",    "rank",    "local_rank", "rep",
        "kernel",     "size",  "values", "time_ns", "ok",      "strategy",   "planned_pu",
        "pu_logical", "pu_os", "core",   "numa",    "package", "placed_ok",  "oversubscribed"}) {
    EXPECT_TRUE(names.count(required)) << required;
  }
}

TEST(Stats, SpreadOfKnownSamples) {
  const Spread s = spread_of({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.max, 4);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_NEAR(s.cv, 1.2909944 / 2.5, 1e-6);
  EXPECT_EQ(spread_of({}).n, 0u);
  EXPECT_DOUBLE_EQ(spread_of({5}).cv, 0);
}

TEST(Summary, ParallelTimeIsTheSlowestRankAndSpeedupUsesMedians) {
  const RunFigures f = compute_figures(two_rank_run(), two_rank_records());
  EXPECT_EQ(f.parallel_ms, (std::vector<double>{20, 21}));
  EXPECT_EQ(f.sequential_ms, (std::vector<double>{40, 40}));
  EXPECT_NEAR(f.speedup, 40 / 20.5, 1e-12);
  EXPECT_NEAR(f.efficiency, 40 / 20.5 / 2, 1e-12);
  const std::string text = format_summary(two_rank_run(), two_rank_records(), "a.csv", "a.json");
  EXPECT_NE(text.find("1.95x"), std::string::npos);
  EXPECT_NE(text.find("verification: all counts right"), std::string::npos);
}

TEST(Summary, WrongCountsAndOffPlanRanksAreShown) {
  auto records = two_rank_records();
  records[1].ok = 0;
  records[1].placed_ok = 0;
  const std::string text = format_summary(two_rank_run(), records, "", "");
  EXPECT_NE(text.find("1 of 6 repetitions WRONG"), std::string::npos);
  EXPECT_NE(text.find("ran elsewhere than planned"), std::string::npos);
}

TEST(Context, JsonEscapesAndNamesTheCsv) {
  EXPECT_EQ(json_escape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001");
  const std::string json =
      format_context_json(two_rank_run(), Provenance{}, two_rank_records(), "x.csv");
  EXPECT_NE(json.find("\"csv\": \"x.csv\""), std::string::npos);
  EXPECT_NE(json.find("\"host\": \"host,with\\\"comma\""), std::string::npos);
}

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("shmcount-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    ::chmod(dir_.c_str(), 0755);
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(AtomicFile, WritesWholeFileAndLeavesNoTemporary) {
  const std::string path = (dir_ / "r.csv").string();
  check_can_create(path);
  write_new_file(path, "a,b\n1,2\n");
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "a,b\n1,2\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(AtomicFile, NeverOverwritesAnEarlierResult) {
  const std::string path = (dir_ / "r.csv").string();
  write_new_file(path, "old\n");
  EXPECT_THROW(check_can_create(path), Error);
  EXPECT_THROW(write_new_file(path, "new\n"), Error);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(AtomicFile, MissingFolderIsRefusedUpFront) {
  try {
    check_can_create((dir_ / "missing" / "r.csv").string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
}

}  // namespace
}  // namespace shmcount
