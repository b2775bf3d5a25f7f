#include "placement/likwid_view.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

namespace shmcount {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

int to_int(const std::string& s) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      }))
    return -1;
  return std::stoi(s);
}

// "32 kB", "1 MB", "1.25 MB": bytes with likwid's binary units (kB = 1024 bytes); 0 if not one.
std::uint64_t to_bytes(const std::string& s) {
  std::istringstream in(s);
  double value = 0;
  std::string unit;
  if (!(in >> value >> unit) || value < 0) return 0;
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::map<std::string, double> scale{
      {"b", 1},           {"kb", 1024.0},       {"kib", 1024.0},      {"mb", 1048576.0},
      {"mib", 1048576.0}, {"gb", 1073741824.0}, {"gib", 1073741824.0}};
  const auto it = scale.find(unit);
  return it == scale.end() ? 0 : static_cast<std::uint64_t>(value * it->second + 0.5);
}

// likwid's way: kB below 1 MiB, MB above.
std::string likwid_size(std::uint64_t bytes) {
  if (bytes < 1048576) return std::to_string(bytes / 1024) + " kB";
  std::ostringstream o;
  o << static_cast<double>(bytes) / 1048576.0 << " MB";
  return o.str();
}

std::string hwloc_size(std::uint64_t bytes) {
  if (bytes % 1048576 == 0) return std::to_string(bytes / 1048576) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " B";
}

}  // namespace

LikwidView parse_likwid_topology(std::string_view text) {
  LikwidView v;
  int level = -1;
  bool in_table = false;
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t q = text.find('\n', p);
    if (q == std::string_view::npos) q = text.size();
    const std::string line = trim(text.substr(p, q - p));
    p = q + 1;
    if (line.rfind("HWThread", 0) == 0 && line.find("Core") != std::string::npos) {
      in_table = true;  // "HWThread Thread Core Die Socket Available" (Die since 5.1).
      continue;
    }
    if (in_table) {
      std::istringstream in(line);
      std::vector<std::string> f;
      for (std::string w; in >> w;) f.push_back(w);
      if (f.size() >= 4 && to_int(f[0]) >= 0) {
        // Columns HWThread Thread Core [Die] Socket [Available]: the socket is the last number.
        int socket = -1;
        for (std::size_t i = 3; i < f.size(); ++i)
          if (to_int(f[i]) >= 0) socket = to_int(f[i]);
        v.hwthreads.push_back({to_int(f[0]), to_int(f[1]), to_int(f[2]), socket});
        continue;
      }
      in_table = false;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(std::string_view(line).substr(0, colon));
    const std::string value = trim(std::string_view(line).substr(colon + 1));
    if (key == "Sockets") {
      v.sockets = to_int(value);
    } else if (key == "Cores per socket") {
      v.cores_per_socket = to_int(value);
    } else if (key == "Threads per core") {
      v.threads_per_core = to_int(value);
    } else if (key == "NUMA domains") {
      v.numa_domains = to_int(value);
    } else if (key == "Level") {
      level = to_int(value);
    } else if (key == "Size" && level > 0) {
      if (const std::uint64_t bytes = to_bytes(value)) v.caches.emplace_back(level, bytes);
      level = -1;
    }
  }
  return v;
}

std::vector<std::string> likwid_disagreements(const LikwidView& l, const MachineView& m) {
  std::vector<std::string> out;
  const std::vector<PuInfo>& pus = m.all_pus.empty() ? m.pus : m.all_pus;
  std::set<int> packages, cores, numa;
  std::map<int, int> threads_of_core;
  for (const PuInfo& pu : pus) {
    packages.insert(pu.package);
    cores.insert(pu.core);
    if (pu.numa >= 0) numa.insert(pu.numa);
    ++threads_of_core[pu.core];
  }
  int smt = 0;
  for (const auto& [core, n] : threads_of_core) smt = std::max(smt, n);
  auto plural = [](int n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  if (l.sockets >= 0 && l.sockets != static_cast<int>(packages.size())) {
    out.push_back("sockets: likwid-topology says " + std::to_string(l.sockets) + ", hwloc " +
                  plural(static_cast<int>(packages.size()), "package", "packages"));
  }
  if (l.cores_per_socket >= 0 && !packages.empty() &&
      l.cores_per_socket * std::max(l.sockets, 1) != static_cast<int>(cores.size())) {
    out.push_back("cores: likwid-topology says " + std::to_string(l.cores_per_socket) +
                  " per socket, hwloc " + plural(static_cast<int>(cores.size()), "core", "cores") +
                  " in " + plural(static_cast<int>(packages.size()), "package", "packages"));
  }
  if (l.threads_per_core >= 0 && l.threads_per_core != smt) {
    out.push_back("SMT threads per core: likwid-topology says " +
                  std::to_string(l.threads_per_core) + ", hwloc " + std::to_string(smt));
  }
  // Each hardware thread's index in its core: likwid-pin's domain indices (cores first) sort on
  // likwid's, shmcount's --pin likwid: on hwloc's.
  int differ = 0;
  std::string first;
  for (const LikwidHwThread& t : l.hwthreads) {
    const auto it =
        std::find_if(pus.begin(), pus.end(), [&](const PuInfo& pu) { return pu.pu_os == t.os; });
    if (it == pus.end() || t.thread < 0) continue;
    int index = 0;  // Among all of the core's PUs, usable or not.
    for (const PuInfo& pu : pus)
      if (pu.core == it->core && pu.pu_logical < it->pu_logical) ++index;
    if (index != t.thread) {
      if (differ++ == 0) {
        first = "P#" + std::to_string(t.os) + " is thread " + std::to_string(t.thread) +
                " of its core for likwid-topology, thread " + std::to_string(index) + " for hwloc";
      }
    }
  }
  if (differ > 0) {
    out.push_back("SMT numbering: " + first +
                  (differ > 1 ? " (" + std::to_string(differ) + " PUs so)" : "") +
                  "; likwid-pin's domain indices (cores first) follow likwid's, --pin likwid: "
                  "hwloc's");
  }
  // Caches: likwid lists data and unified caches by level; hwloc's first PU's, "L1d:32768 ...".
  std::map<int, std::pair<std::string, std::uint64_t>> hwloc_caches;
  std::istringstream in(m.caches);
  for (std::string item; in >> item;) {
    const std::size_t colon = item.find(':');
    if (item.size() < 2 || item[0] != 'L' || colon == std::string::npos) continue;
    const int level = std::atoi(item.c_str() + 1);
    const std::string name = item.substr(0, colon);
    const std::uint64_t bytes = std::strtoull(item.c_str() + colon + 1, nullptr, 10);
    if (level > 0 && !hwloc_caches.count(level)) hwloc_caches[level] = {name, bytes};
  }
  for (const auto& [level, bytes] : l.caches) {
    const auto it = hwloc_caches.find(level);
    if (it == hwloc_caches.end()) {
      if (!m.caches.empty()) {
        out.push_back("L" + std::to_string(level) + " cache: likwid-topology says " +
                      likwid_size(bytes) + ", hwloc has no L" + std::to_string(level));
      }
      continue;
    }
    if (it->second.second != bytes) {
      out.push_back("L" + std::to_string(level) + " cache: likwid-topology says " +
                    likwid_size(bytes) + ", hwloc " + it->second.first + " " +
                    hwloc_size(it->second.second));
    }
  }
  if (l.numa_domains >= 0 && !numa.empty() && l.numa_domains != static_cast<int>(numa.size())) {
    out.push_back("NUMA domains: likwid-topology says " + std::to_string(l.numa_domains) +
                  ", hwloc " + plural(static_cast<int>(numa.size()), "NUMA node", "NUMA nodes"));
  }
  return out;
}

std::string run_likwid_topology() {
  const char* path = std::getenv("PATH");
  bool found = false;
  std::string dirs = path ? path : "";
  for (std::size_t p = 0; p <= dirs.size() && !found;) {
    const std::size_t q = std::min(dirs.find(':', p), dirs.size());
    const std::string dir = dirs.substr(p, q - p);
    p = q + 1;
    if (!dir.empty() && ::access((dir + "/likwid-topology").c_str(), X_OK) == 0) found = true;
  }
  if (!found) return "";
  FILE* f = ::popen("timeout 10 likwid-topology 2>/dev/null </dev/null", "r");
  if (!f) return "";
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  return ::pclose(f) == 0 ? out : "";
}

}  // namespace shmcount
