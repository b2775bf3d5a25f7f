// Sinks: CSV schema and quoting, statistics, result files, safe text, and the summary's
// arithmetic.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "cli/params.hpp"
#include "common/error.hpp"
#include "common/json.hpp"
#include "common/text.hpp"
#include "common/wire.hpp"
#include "report/context.hpp"
#include "report/csv.hpp"
#include "report/output_files.hpp"
#include "report/stats.hpp"
#include "report/summary.hpp"

namespace shmcount {
namespace {

namespace fs = std::filesystem;

RunInfo two_rank_run() {
  RunInfo run;
  run.run_id = "id";
  run.ranks = 2;
  run.options.reps = 2;
  run.algorithm = "multi-pass";
  run.work_per_unit = 2e8;
  run.nodes.push_back(NodeInfo{0,
                               "host,with\"comma",
                               "cpu",
                               "1 package",
                               "L1d:32768",
                               2,
                               2,
                               "",
                               "PUs 0-1 (of 0-1)",
                               "the whole node",
                               {},
                               {},
                               0,
                               "default"});
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

// The structs that cross ranks come back as they went, whatever bytes their strings hold.
TEST(Wire, NodeRankAndRecordsRoundTrip) {
  NodeInfo n = two_rank_run().nodes[0];
  n.index = 3;
  n.host = std::string("h\0st\n,\"", 8);
  n.noise = {{"load_before", "1.0 2.0 3.0"}, {"governor", ""}};
  n.memory_notes = {"a note", ""};
  n.mapped_bytes = 1ull << 40;
  n.placement_map = "[0][1]\n";
  WireWriter w;
  write_node(w, n);
  WireReader r(w.bytes());
  const NodeInfo back = read_node(r);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(back.index, n.index);
  EXPECT_EQ(back.host, n.host);
  EXPECT_EQ(back.cpu_model, n.cpu_model);
  EXPECT_EQ(back.topology, n.topology);
  EXPECT_EQ(back.caches, n.caches);
  EXPECT_EQ(back.ranks, n.ranks);
  EXPECT_EQ(back.pus, n.pus);
  EXPECT_EQ(back.placement_map, n.placement_map);
  EXPECT_EQ(back.available, n.available);
  EXPECT_EQ(back.available_from, n.available_from);
  EXPECT_EQ(back.noise, n.noise);
  EXPECT_EQ(back.memory_notes, n.memory_notes);
  EXPECT_EQ(back.mapped_bytes, n.mapped_bytes);
  EXPECT_EQ(back.policy, n.policy);

  const RankInfo info{7, "0-3", "[B/B]", {"4096", "", "0:1 1:2"}};
  WireWriter wr;
  write_rank(wr, info);
  WireReader rr(wr.bytes());
  const RankInfo rank = read_rank(rr);
  EXPECT_TRUE(rr.done());
  EXPECT_EQ(rank.rank, 7);
  EXPECT_EQ(rank.cpuset, info.cpuset);
  EXPECT_EQ(rank.mask, info.mask);
  EXPECT_EQ(rank.probes, info.probes);

  std::vector<Record> records = two_rank_records();
  records[2].disturbance[kRunDelayNs] = 12345;
  records[2].disturbed = 1;
  const std::vector<Record> again = records_from_bytes(records_to_bytes(records));
  ASSERT_EQ(again.size(), records.size());
  EXPECT_EQ(std::memcmp(again.data(), records.data(), records.size() * sizeof(Record)), 0);
  EXPECT_THROW(records_from_bytes(records_to_bytes(records).substr(1)), Error);
  WireReader truncated(std::string_view(w.bytes()).substr(0, w.bytes().size() - 1));
  EXPECT_THROW(read_node(truncated), Error);
}

// The CSV and the JSON config carry every parameter of the table, under its key.
TEST(Csv, EveryParameterHasItsColumnAndConfigKey) {
  RunInfo run = two_rank_run();
  run.options = parse_options(std::vector<std::string_view>{"--size", "4321", "--pin", "compact"});
  const std::string csv = format_csv(run, two_rank_records());
  const std::string header = csv.substr(0, csv.find('\n'));
  const std::string json =
      format_context_json(run, Provenance{}, compute_figures(run, two_rank_records()), "x.csv");
  for (const auto& p : param_table()) {
    const std::string key(p.key);
    if (!(p.runs & kCountingRuns)) {
      // A latency map's parameter: neither a column nor a config key of a counting run.
      EXPECT_EQ(("," + header + ",").find("," + key + ","), std::string::npos) << key;
      EXPECT_EQ(json.find("\"" + key + "\": "), std::string::npos) << key;
      continue;
    }
    if (p.column) {
      EXPECT_NE(("," + header + ",").find("," + key + ","), std::string::npos) << key;
    }
    EXPECT_NE(json.find("\"" + key + "\": "), std::string::npos) << key;
  }
  EXPECT_NE(json.find("\"size\": 4321"), std::string::npos);
  EXPECT_NE(json.find("\"strategy\": \"compact\""), std::string::npos);
  EXPECT_NE(json.find("\"baseline\": true"), std::string::npos);
  EXPECT_NE(json.find("\"mode\": \"counting\""), std::string::npos);
  EXPECT_NE(csv.find(",4321,"), std::string::npos);
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

TEST(Summary, ParallelTimeIsTheMakespanAndOwnTimesAreKeptBeside) {
  // Rank 1 starts 5 ms after rank 0 (it waited for a core): its own time hides the wait, the
  // makespan does not.
  auto records = two_rank_records();
  for (auto& r : records) {
    if (r.phase == Phase::kParallel && r.rank == 1) r.start_ns = 5'000'000;
  }
  const RunFigures f = compute_figures(two_rank_run(), records);
  EXPECT_EQ(f.parallel_ms, (std::vector<double>{25, 26}));  // 5 + 20, 5 + 21.
  EXPECT_EQ(f.t_max_ms, (std::vector<double>{20, 21}));
  EXPECT_EQ(f.t_min_ms, (std::vector<double>{10, 11}));
  EXPECT_EQ(f.t_avg_ms, (std::vector<double>{15, 16}));
  EXPECT_NEAR(f.speedup, 40 / 25.5, 1e-12);
  EXPECT_NEAR(f.efficiency, 40 / 25.5 / 2, 1e-12);
  const std::string text = format_summary(
      two_rank_run(), records, compute_figures(two_rank_run(), records), "a.csv", "a.json");
  EXPECT_NE(text.find("1.57x"), std::string::npos) << text;
  EXPECT_NE(text.find("verification: all counts right"), std::string::npos);
}

TEST(Summary, TheIdealIsCeilOfRanksOverPusUnitsAndBeatingItIsFlagged) {
  RunInfo run = two_rank_run();
  run.nodes[0].pus = 1;  // Two ranks on one PU: two units one after the other at best.
  auto records = two_rank_records();
  RunFigures f = compute_figures(run, records);
  EXPECT_EQ(f.units_per_pu, 2);
  EXPECT_NEAR(f.ideal_ms, 2 * 40.0 / 2, 1e-9);
  // Makespans of 20 and 21 ms beat the ideal of 40 while the efficiency (speedup / ranks) stays
  // below 1: the warning gives the reason that holds, not a low efficiency beside "faster".
  EXPECT_LT(f.efficiency, 1);
  const std::string oversubscribed = format_summary(run, records, f, "", "");
  EXPECT_TRUE(f.faster_than_ideal);
  EXPECT_NEAR(f.ideal_ratio, 20.5 / 40, 1e-12);
  EXPECT_NEAR(f.noise, std::sqrt(0.5) / 20.5, 1e-12);  // The makespans' cv; the baseline's is 0.
  EXPECT_NE(oversubscribed.find("warning: faster than perfect scaling (median makespan 20.500 ms, "
                                "51% of the ideal, below it by more than the spread of 3.4%)"),
            std::string::npos)
      << oversubscribed;
  EXPECT_EQ(oversubscribed.find("efficiency 1"), std::string::npos) << oversubscribed;
  run.nodes[0].pus = 2;
  for (auto& r : records) {
    if (r.phase == Phase::kSequential) r.time_ns = 100'000'000;  // A slowed baseline.
  }
  f = compute_figures(run, records);
  EXPECT_GT(f.efficiency, 1);
  EXPECT_TRUE(f.faster_than_ideal);
  EXPECT_NE(format_summary(run, records, f, "", "").find("3.4%; efficiency 244%)"),
            std::string::npos);
}

// The one rule (figures.hpp; stats.faster_than_ideal in the analysis, tested on the same cases):
// the median makespan below the ideal by more than the measured spread.
TEST(Figures, FasterThanIdealIsBelowTheIdealByMoreThanTheSpread) {
  EXPECT_TRUE(faster_than_ideal(95, 100, 0.04));
  EXPECT_FALSE(faster_than_ideal(97, 100, 0.04));  // Below the ideal, within the spread.
  EXPECT_FALSE(faster_than_ideal(100, 100, 0));
  EXPECT_TRUE(faster_than_ideal(99.9, 100, 0));  // One repetition: no spread to allow.
  EXPECT_FALSE(faster_than_ideal(10, 0, 0));     // No baseline: no ideal, no verdict.
  EXPECT_FALSE(faster_than_ideal(1, 100, 1.5));  // A spread over 100% allows anything.
}

TEST(Figures, ANormalRunIsNotFasterThanIdealAndItsRatesAndNodeSpeedupAreKept) {
  const RunFigures f = compute_figures(two_rank_run(), two_rank_records());
  // Makespans 20 and 21 ms (rank 1's own times), ideal 1 unit of 40 / 2 = 20 ms.
  EXPECT_NEAR(f.parallel.median, 20.5, 1e-12);
  EXPECT_NEAR(f.ideal_ms, 20, 1e-12);
  EXPECT_NEAR(f.ideal_ratio, 20.5 / 20, 1e-12);
  EXPECT_FALSE(f.faster_than_ideal);
  EXPECT_TRUE(f.ideal_within_range);        // 20 lies within the makespans' 20..21.
  EXPECT_NEAR(f.unit.median, 15.5, 1e-12);  // Of 10, 20, 11, 21.
  EXPECT_NEAR(f.rates.work_per_s_rank, 2e8 / 0.0155, 1);
  EXPECT_NEAR(f.rates.work_per_s_job, 2 * 2e8 / 0.0205, 1);
  ASSERT_EQ(f.nodes.size(), 1u);
  EXPECT_NEAR(f.nodes[0].speedup, 40 / 20.5, 1e-12);
  const std::string json = format_context_json(two_rank_run(), Provenance{}, f, "x.csv");
  EXPECT_NE(json.find("\"faster_than_ideal\": false"), std::string::npos) << json;
  EXPECT_NE(json.find("\"ideal_ratio\": 1.025"), std::string::npos) << json;
  EXPECT_NE(json.find("\"work_per_s_job\": 1.95122e+10"), std::string::npos) << json;
  EXPECT_NE(json.find("\"speedup\": 1.95122}"), std::string::npos) << json;  // Node 0's.
}

TEST(Summary, WrongCountsAndOffPlanRanksAreShown) {
  auto records = two_rank_records();
  records[1].ok = 0;
  records[1].placed_ok = 0;
  const std::string text =
      format_summary(two_rank_run(), records, compute_figures(two_rank_run(), records), "", "");
  EXPECT_NE(text.find("1 of 6 records WRONG"), std::string::npos);
  EXPECT_NE(text.find("ran elsewhere than planned"), std::string::npos);
}

TEST(Context, JsonEscapesAndNamesTheCsv) {
  EXPECT_EQ(json_escape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001");
  const std::string json = format_context_json(
      two_rank_run(), Provenance{}, compute_figures(two_rank_run(), two_rank_records()), "x.csv");
  EXPECT_NE(json.find("\"csv\": \"x.csv\""), std::string::npos);
  EXPECT_NE(json.find("\"host\": \"host,with\\\"comma\""), std::string::npos);
}

// The one JSON writer (common/json.hpp): every string and number of every run context.
TEST(JsonWriter, QuotesBackslashesAndControlCharactersAreEscaped) {
  EXPECT_EQ(json_string("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(json_string("a\\b"), "\"a\\\\b\"");
  EXPECT_EQ(json_string("l1\nl2\tx"), "\"l1\\nl2\\tx\"");
  EXPECT_EQ(json_string(std::string("\x01\r\x1f\0", 4)), "\"\\u0001\\u000d\\u001f\\u0000\"");
  EXPECT_EQ(json_string(""), "\"\"");
}

TEST(JsonWriter, NonAsciiUtf8IsKeptAndOtherBytesAreNamed) {
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
  // A byte that is not UTF-8 becomes the text \xff, its backslash escaped: the JSON stays valid.
  EXPECT_EQ(json_string("a\xff"), "\"a\\\\xff\"");
}

TEST(JsonWriter, NumbersHaveSixDigitsAndNonFiniteIsNull) {
  EXPECT_EQ(json_number(1.5), "1.5");
  EXPECT_EQ(json_number(123456789.0), "1.23457e+08");
  EXPECT_EQ(json_number(-0.25), "-0.25");
  EXPECT_EQ(json_number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(json_number(-std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(json_number(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_STREQ(json_bool(true), "true");
  EXPECT_STREQ(json_bool(false), "false");
}

class OutputFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("shmcount-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    ::chmod(dir_.c_str(), 0755);
    fs::remove_all(dir_);
  }
  std::string path(const char* name) const { return (dir_ / name).string(); }
  std::string read(const char* name) const {
    std::ifstream in(dir_ / name);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  // The message of the UsageError that preparing (csv, json) throws, or "" when none.
  std::string refusal(const std::string& csv, const std::string& json,
                      const std::string& default_folder = "") {
    try {
      OutputFiles::prepare(csv, json, default_folder);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(OutputFilesTest, NothingHasANameUntilCommitThenBothAreWhole) {
  OutputFiles out = OutputFiles::prepare(path("r.csv"), path("r.json"), "");
  EXPECT_EQ(entries(), 0u);  // Unnamed (O_TMPFILE): nothing to see before the run ends.
  out.commit("a,b\n1,2\n", "{}\n");
  EXPECT_EQ(read("r.csv"), "a,b\n1,2\n");
  EXPECT_EQ(read("r.json"), "{}\n");
  EXPECT_EQ(entries(), 2u);
}

TEST_F(OutputFilesTest, AFailedRunLeavesNothing) {
  { OutputFiles out = OutputFiles::prepare(path("r.csv"), path("r.json"), ""); }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(OutputFilesTest, NeverOverwritesAndNamesAnIncompletePair) {
  std::ofstream(path("r.json")) << "old\n";
  const std::string why = refusal(path("r.csv"), path("r.json"));
  EXPECT_NE(why.find("already exists, without"), std::string::npos) << why;
  EXPECT_NE(why.find("incomplete pair"), std::string::npos) << why;
  EXPECT_NE(why.find("remove '" + path("r.json")), std::string::npos) << why;
  std::ofstream(path("r.csv")) << "old\n";
  EXPECT_NE(refusal(path("r.csv"), path("r.json")).find("never overwrites"), std::string::npos);
  EXPECT_EQ(read("r.json"), "old\n");
}

TEST_F(OutputFilesTest, AFolderOrFifoAtTheNameIsNotAnIncompletePair) {
  fs::create_directory(dir_ / "results");
  const std::string why = refusal(path("results"), path("results.json"));
  EXPECT_NE(why.find("'" + path("results") + "' is a folder"), std::string::npos) << why;
  EXPECT_EQ(why.find("incomplete pair"), std::string::npos) << why;
  ASSERT_EQ(::mkfifo(path("f.json").c_str(), 0600), 0);
  EXPECT_NE(refusal(path("f.csv"), path("f.json")).find("is not a file"), std::string::npos);
}

TEST_F(OutputFilesTest, ADanglingLinkIsRefusedBeforeTheRun) {
  fs::create_symlink("/nonexistent/j", dir_ / "r.json");
  const std::string why = refusal(path("r.csv"), path("r.json"));
  EXPECT_NE(why.find("symbolic link to '/nonexistent/j', which does not exist"), std::string::npos)
      << why;
}

TEST_F(OutputFilesTest, NamesTooLongForTheFileSystemOrPathMax) {
  const std::string long_name = path(std::string(300, 'a').c_str()) + ".csv";
  EXPECT_NE(refusal(long_name, long_name + ".json").find("longer than the 255 bytes"),
            std::string::npos);
  const std::string deep = dir_.string() + "/" + std::string(5000, 'b') + "/r.csv";
  EXPECT_NE(refusal(deep, deep + ".json").find("PATH_MAX"), std::string::npos);
}

TEST_F(OutputFilesTest, FoldersThatTakeNoFilesAreRefusedWithTheReason) {
  EXPECT_NE(
      refusal("/proc/r.csv", "/proc/r.json").find("cannot create the result files in '/proc'"),
      std::string::npos);
  EXPECT_NE(refusal(path("missing/r.csv"), path("missing/r.json")).find("does not exist"),
            std::string::npos);
  std::ofstream(path("file")) << "x";
  EXPECT_NE(refusal(path("file/r.csv"), path("file/r.json")).find("is a file, not a folder"),
            std::string::npos);
}

TEST_F(OutputFilesTest, TheDefaultFolderMustBeARealPrivateFolder) {
  const std::string folder = path("results");
  const std::string csv = folder + "/r.csv", json = folder + "/r.json";
  std::ofstream(folder) << "x";
  EXPECT_NE(refusal(csv, json, folder).find("is a file, not a folder"), std::string::npos);
  fs::remove(folder);
  fs::create_symlink(dir_ / "nowhere", folder);
  EXPECT_NE(refusal(csv, json, folder).find("which does not exist"), std::string::npos);
  fs::remove(folder);
  fs::create_directory(folder);
  ::chmod(folder.c_str(), 0777);
  EXPECT_NE(refusal(csv, json, folder).find("writable by other users"), std::string::npos);
  ::chmod(folder.c_str(), 01777);  // Sticky, like /tmp: others cannot replace our files.
  EXPECT_EQ(refusal(csv, json, folder), "");
}

TEST_F(OutputFilesTest, ADefaultFolderCreatedForAFailedRunIsRemoved) {
  const std::string folder = path("results");
  { OutputFiles out = OutputFiles::prepare(folder + "/r.csv", folder + "/r.json", folder); }
  EXPECT_FALSE(fs::exists(folder));
  {
    OutputFiles out = OutputFiles::prepare(folder + "/r.csv", folder + "/r.json", folder);
    out.commit("c\n", "j\n");
  }
  EXPECT_TRUE(fs::exists(folder + "/r.csv"));
}

TEST_F(OutputFilesTest, FilesFollowTheUmask) {
  const mode_t old = ::umask(077);
  {
    OutputFiles out = OutputFiles::prepare(path("r.csv"), path("r.json"), "");
    out.commit("c\n", "j\n");
  }
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(path("r.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Text, AnyByteBecomesValidUtf8AndNoControlReachesATerminal) {
  EXPECT_EQ(utf8_or_escaped("ok \xc3\xa9 \xff\xc3"), "ok \xc3\xa9 \\xff\\xc3");
  EXPECT_EQ(utf8_or_escaped("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // A surrogate is not UTF-8.
  EXPECT_EQ(printable("a\x1b[31mb\r\n\x1f\x7f\xc2\x9b"), "a\\e[31mb\\r\\n\\x1f\\x7f\\u009b");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");
  // A real 0x1f and the four characters \x1f print differently.
  EXPECT_NE(printable("\x1f"), printable("\\x1f"));
  EXPECT_EQ(printable("a\\b"), "a\\\\b");
}

TEST(Wire, AnyByteInAStringKeepsTheFieldsApart) {
  WireWriter w;
  w.put(7).put_string(std::string("a\x1f\x1f\0b", 5)).put_string("").put(-1);
  WireReader r(w.bytes());
  EXPECT_EQ(r.get<int>(), 7);
  EXPECT_EQ(r.get_string(), std::string("a\x1f\x1f\0b", 5));
  EXPECT_EQ(r.get_string(), "");
  EXPECT_EQ(r.get<int>(), -1);
  EXPECT_TRUE(r.done());
  WireReader short_one(std::string_view(w.bytes()).substr(0, 9));
  short_one.get<int>();
  EXPECT_THROW(short_one.get_string(), Error);
}

TEST(Summary, APausedRepetitionIsFlaggedAndOrdinaryNoiseIsNot) {
  const auto flagged = find_outliers(Phase::kParallel, {10, 11, 20000, 12, 10.5});
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_EQ(flagged[0].rep, 2);
  EXPECT_TRUE(find_outliers(Phase::kParallel, {10, 25, 12, 18, 11}).empty());
  EXPECT_TRUE(find_outliers(Phase::kParallel, {10, 20000}).empty());  // Too few to tell.
}

}  // namespace
}  // namespace shmcount
