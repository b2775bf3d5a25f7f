#include "record.hpp"

#include <cstring>
#include <type_traits>

namespace shmcount {

static_assert(std::is_trivially_copyable_v<Record>, "records travel between ranks as bytes");

void write_node(WireWriter& w, const NodeInfo& n) {
  w.put(n.index).put(n.ranks).put(n.pus);
  w.put_string(n.host).put_string(n.cpu_model).put_string(n.topology).put_string(n.caches);
  w.put_string(n.placement_map).put_string(n.available).put_string(n.available_from);
  w.put(n.noise.size());
  for (const auto& [name, value] : n.noise) w.put_string(name).put_string(value);
  w.put(n.memory_notes.size());
  for (const auto& note : n.memory_notes) w.put_string(note);
  w.put(n.mapped_bytes).put_string(n.policy);
}

NodeInfo read_node(WireReader& r) {
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

void write_rank(WireWriter& w, const RankInfo& info) {
  w.put(info.rank).put_string(info.cpuset).put_string(info.mask);
  w.put(info.probes.size());
  for (const auto& value : info.probes) w.put_string(value);
}

RankInfo read_rank(WireReader& r) {
  RankInfo info;
  info.rank = r.get<int>();
  info.cpuset = r.get_string();
  info.mask = r.get_string();
  for (auto count = r.get<std::size_t>(); count > 0; --count) info.probes.push_back(r.get_string());
  return info;
}

std::string records_to_bytes(std::span<const Record> records) {
  return std::string(reinterpret_cast<const char*>(records.data()),
                     records.size() * sizeof(Record));
}

std::vector<Record> records_from_bytes(std::string_view bytes) {
  if (bytes.size() % sizeof(Record) != 0) {
    throw Error("internal: " + std::to_string(bytes.size()) +
                " bytes between ranks are not a whole number of records");
  }
  std::vector<Record> out(bytes.size() / sizeof(Record));
  std::memcpy(static_cast<void*>(out.data()), bytes.data(), bytes.size());
  return out;
}

}  // namespace shmcount
