#include "plugin.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/sha256.hpp"

namespace shmcount {
namespace {

// The one plugin of this process: its description and the KernelInfo the tables point to.
struct LoadedPlugin {
  std::string spec;
  PluginInfo info;
  std::string algorithm;
  std::string crash_message;
  KernelPath path{};
  KernelInfo kernel{};
};
std::unique_ptr<LoadedPlugin> g_plugin;

std::string shown(std::string_view text) {
  return "'" + std::string(text.substr(0, 200)) + (text.size() > 200 ? "...'" : "'");
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// One unit into the rank's own counts: the KernelFn of a plugin (tests, benchmarks).
void plugin_private(std::span<const std::int32_t> data, std::span<std::uint64_t> counts) {
  std::fill(counts.begin(), counts.end(), 0);
  const CountTable table(counts);
  g_plugin->info.kernel->count(data.data(), data.size(), &table.c_counts());
}

void plugin_into(std::span<const std::int32_t> data, const CountTable& table) {
  g_plugin->info.kernel->count(data.data(), data.size(), &table.c_counts());
}

}  // namespace

bool is_plugin_spec(std::string_view text) { return text.starts_with(kPluginPrefix); }

const KernelInfo* load_plugin_kernel(std::string_view spec) {
  if (g_plugin) {
    if (g_plugin->spec == spec) return &g_plugin->kernel;
    throw UsageError("--kernel " + shown(spec) + ": one plugin kernel per run (" +
                     shown(g_plugin->spec) + " is loaded)");
  }
  std::string_view rest = spec.substr(kPluginPrefix.size());
  std::string symbol = SHMCOUNT_KERNEL_SYMBOL;
  if (const auto colon = rest.rfind(':');
      colon != std::string_view::npos && colon > 0 && is_identifier(rest.substr(colon + 1))) {
    symbol = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) {
    throw UsageError("--kernel " + shown(spec) +
                     ": no file; write --kernel plugin:PATH[:SYMBOL], PATH a shared object (see "
                     "shmcount/kernel.h)");
  }
  // dlopen() searches the library path for a bare name; a user means the file in this folder.
  const std::string path =
      rest.find('/') == std::string_view::npos ? "./" + std::string(rest) : std::string(rest);
  const std::string what = "--kernel " + shown(spec) + ": ";
  if (::access(path.c_str(), R_OK) != 0) {
    const int err = errno;
    const char* name = strerrorname_np(err);
    throw UsageError(what + "cannot read " + path + ": " + std::strerror(err) + " (" +
                     (name ? name : "errno") + " " + std::to_string(err) + ")");
  }
  auto loaded = std::make_unique<LoadedPlugin>();
  loaded->spec = std::string(spec);
  loaded->info.path = std::string(rest);
  loaded->info.symbol = symbol;
  loaded->info.sha256 = sha256_of_file(path);
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    throw UsageError(what + "cannot load it: " + (why ? why : "dlopen failed") +
                     " (a shared object built with cc -fPIC -shared, for this machine?)");
  }
  ::dlerror();
  void* found = ::dlsym(handle, symbol.c_str());
  if (!found) {
    throw UsageError(what + "it has no function '" + symbol +
                     "'; export const struct shmcount_kernel* " + symbol +
                     "(void) (shmcount/kernel.h), or name yours: plugin:PATH:SYMBOL");
  }
  const auto describe = reinterpret_cast<shmcount_kernel_fn>(found);
  const shmcount_kernel* k = describe();
  if (!k) throw UsageError(what + symbol + "() returned no kernel (NULL)");
  if (k->abi != SHMCOUNT_KERNEL_ABI) {
    throw UsageError(what + "it was built against interface version " + std::to_string(k->abi) +
                     " of shmcount/kernel.h; this shmcount speaks version " +
                     std::to_string(SHMCOUNT_KERNEL_ABI) +
                     ": rebuild it with this shmcount's "
                     "header");
  }
  if (!k->count) throw UsageError(what + "its kernel has no count function");
  PluginInfo& info = loaded->info;
  info.kernel = k;
  info.name = k->name && *k->name ? k->name : std::string(rest);
  info.description = k->description ? k->description : "";
  info.work_unit = k->work_unit && *k->work_unit ? k->work_unit : "element visits";
  loaded->algorithm = "plugin " + info.name;
  loaded->crash_message = "shmcount: the plugin kernel " + info.name + " (" + info.path +
                          ") crashed in its count function; the run is over\n";
  loaded->path = KernelPath{Isa::kPortable, plugin_private};
  KernelInfo& kernel = loaded->kernel;
  g_plugin = std::move(loaded);
  kernel.name = g_plugin->spec;
  kernel.fn = plugin_private;
  kernel.work = WorkModel::kOnePerElement;
  kernel.algorithm = g_plugin->algorithm;
  kernel.description = g_plugin->info.description;
  kernel.paths = std::span<const KernelPath>(&g_plugin->path, 1);
  kernel.count_into = plugin_into;
  kernel.updates = UpdateModel::kOnePerElement;
  kernel.plugin = &g_plugin->info;
  return &kernel;
}

const char* plugin_crash_message() { return g_plugin ? g_plugin->crash_message.c_str() : ""; }

}  // namespace shmcount
