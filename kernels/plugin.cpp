#include "plugin.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/fatal_signal.hpp"
#include "common/sha256.hpp"
#include "common/table.hpp"

namespace shmcount {
namespace {

// The largest file taken for a plugin: a kernel's shared object is kilobytes, a big one a few
// MiB; anything larger is not one, and hashing it on every rank would cost seconds.
constexpr off_t kMaxPluginBytes = 256 << 20;

// The one plugin of this process: its description and the KernelInfo the tables point to.
struct LoadedPlugin {
  std::string spec;
  PluginInfo info;
  shmcount_kernel copy{};  // What the plugin described, copied once it passed every check.
  std::string algorithm;
  KernelPath path{};
  KernelInfo kernel{};
};
std::unique_ptr<LoadedPlugin> g_plugin;

// Paths are quoted whole up to this many characters.
constexpr std::size_t kShownPath = 200;

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// While plugin code runs: the line that says so should the plugin end the process, prepared
// before it runs in memory of shmcount's own (a plugin that damages the heap cannot garble it),
// and the status to end with. Written only by shmcount outside plugin code.
struct InPlugin {
  volatile std::sig_atomic_t running = 0;
  int status = kExitFailure;
  char prefix[768] = {};  // "shmcount: rank 1: the plugin kernel NAME (PATH) "
  char doing[96] = {};    // "in its count function", "in shmcount_kernel()"
};
InPlugin g_in_plugin;

// A process that plugin code forked (pthread_atfork): never a rank of the job. Whatever way it
// ends (back into shmcount, exit, _exit, a fatal signal) it ends alone, running none of shmcount's
// or the MPI library's handlers, and it dies with the rank that forked it (PR_SET_PDEATHSIG), so
// a child left behind cannot keep the job's output open.
volatile std::sig_atomic_t g_forked_child = 0;
void on_fork_child() {
  g_forked_child = 1;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}
[[noreturn]] void end_forked_child(int status) {
  for (;;) ::syscall(SYS_exit_group, status);
}

// The signal mask shmcount runs with, restored after every call of plugin code: a plugin that
// blocks SIGSEGV or SIGALRM must not take the crash message or --time-limit from later calls.
sigset_t g_mask;
void save_mask() { ::pthread_sigmask(SIG_SETMASK, nullptr, &g_mask); }
void restore_mask() { ::pthread_sigmask(SIG_SETMASK, &g_mask, nullptr); }

// Async-signal-safe pieces of the message.
void add(char* out, std::size_t& n, std::size_t cap, const char* text) {
  while (*text && n + 1 < cap) out[n++] = *text++;
  out[n] = '\0';
}
void add_number(char* out, std::size_t& n, std::size_t cap, long value) {
  char digits[24];
  int d = 0;
  unsigned long v = value < 0 ? 0UL - static_cast<unsigned long>(value) : value;
  do {
    digits[d++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v && d < 23);
  if (value < 0) digits[d++] = '-';
  while (d > 0 && n + 1 < cap) out[n++] = digits[--d];
  out[n] = '\0';
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGABRT:
      return "SIGABRT: abort(), or a damaged heap";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGSYS:
      return "SIGSYS";
    default:
      return "a fatal signal";
  }
}

// The signals a plugin's code can end the process with that shmcount catches around it.
constexpr int kPluginSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};

// The thread that runs the plugin's calls (set when the run arms the handlers; 0 before).
volatile pid_t g_main_thread = 0;

// Stops shmcount's thread for good (until the job is torn down), from another thread.
void freeze_main_thread() {
  struct sigaction freeze {};
  freeze.sa_handler = [](int) {
    for (;;) ::pause();
  };
  ::sigaction(SIGRTMAX - 1, &freeze, nullptr);
  ::syscall(SYS_tgkill, ::getpid(), g_main_thread, SIGRTMAX - 1);
}

// Ends the job with the prepared line and `how` ("crashed (SIGSEGV)", "called exit()").
[[noreturn]] void end_in_plugin(const char* how, long number, bool with_number,
                                const char* doing = g_in_plugin.doing) {
  // From a thread of the plugin's own: shmcount's thread stops where it is first, so that the
  // run cannot go on to write results (or end 0) while this one ends the job.
  if (g_main_thread != 0 && !detail::g_ending &&
      static_cast<pid_t>(::syscall(SYS_gettid)) != g_main_thread) {
    freeze_main_thread();
  }
  static char line[1024];
  std::size_t n = 0;
  add(line, n, sizeof line, g_in_plugin.prefix);
  add(line, n, sizeof line, how);
  if (with_number) {
    add_number(line, n, sizeof line, number);
    add(line, n, sizeof line, ")");
  }
  add(line, n, sizeof line, " ");
  add(line, n, sizeof line, doing);
  add(line, n, sizeof line, "; the run is over\n");
  end_job_from_signal(std::string_view(line, n), g_in_plugin.status);
}

void on_plugin_signal(int signal) {
  if (g_forked_child) {
    // The child's own crash: it ends with that signal, as it would without shmcount.
    ::signal(signal, SIG_DFL);
    ::raise(signal);
    return;
  }
  static char how[96];
  std::size_t n = 0;
  add(how, n, sizeof how, "crashed (");
  add(how, n, sizeof how, signal_name(signal));
  add(how, n, sizeof how, ")");
  // Outside its code, a fault after a plugin ran is still most likely its doing (memory it
  // damaged); shmcount's own code does not fault.
  end_in_plugin(
      how, 0, false,
      g_in_plugin.running ? g_in_plugin.doing : "after its code returned (memory it damaged?)");
}

// exit() and quick_exit() run these; a plugin that calls them must not end the job with 0.
void on_exit_in_plugin(int status, void*) {
  if (g_forked_child) end_forked_child(status);
  if (detail::g_ending) return;
  if (g_in_plugin.running) end_in_plugin("called exit()", 0, false);
  // exit(0) from another thread while shmcount's is outside plugin code: a thread the plugin
  // started (shmcount's own code never calls exit, and its thread returns from main only when
  // the run is over). It must not end the rank 0 without results.
  if (status == 0 && g_main_thread != 0 &&
      static_cast<pid_t>(::syscall(SYS_gettid)) != g_main_thread) {
    end_in_plugin("called exit(0)", 0, false, "in a thread of its own");
  }
}
void on_quick_exit_in_plugin() {
  if (g_forked_child) end_forked_child(0);
  if (g_in_plugin.running && !detail::g_ending) end_in_plugin("called quick_exit()", 0, false);
}

// Registered when the plugin is loaded, and again once MPI has started, so that they run before
// whatever MPI registered (exit runs the handlers last registered first).
void register_exit_handlers() {
  ::on_exit(on_exit_in_plugin, nullptr);
  std::at_quick_exit(on_quick_exit_in_plugin);
}

void prepare_message(const std::string& who, std::string_view doing, int status) {
  const std::string prefix = "shmcount: " + who + " ";
  std::snprintf(g_in_plugin.prefix, sizeof g_in_plugin.prefix, "%s", prefix.c_str());
  std::snprintf(g_in_plugin.doing, sizeof g_in_plugin.doing, "%.*s", static_cast<int>(doing.size()),
                doing.data());
  g_in_plugin.status = status;
}

// Marks the plugin's code as running for the life of a call. After it: a forked child that came
// back here ends, and the signal mask is shmcount's again.
struct Running {
  Running() { g_in_plugin.running = 1; }
  ~Running() {
    if (g_forked_child) end_forked_child(0);
    restore_mask();
    g_in_plugin.running = 0;
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
};

// While a plugin is being loaded and described, a fault in its code (or in reading what it
// returned) comes back here as a refusal instead of ending the process.
sigjmp_buf g_guard;
volatile std::sig_atomic_t g_guard_signal = 0;

void on_guarded_signal(int signal) {
  g_guard_signal = signal;
  siglongjmp(g_guard, 1);
}

// Calls `body` (which must create nothing with a destructor) with the plugin signals turned into
// a return: the signal that stopped it, or 0.
template <typename Body>
int guarded(Body&& body) {
  struct sigaction catcher {};
  catcher.sa_handler = on_guarded_signal;
  sigemptyset(&catcher.sa_mask);
  struct sigaction before[std::size(kPluginSignals)];
  for (std::size_t i = 0; i < std::size(kPluginSignals); ++i) {
    ::sigaction(kPluginSignals[i], &catcher, &before[i]);
  }
  g_guard_signal = 0;
  save_mask();
  g_in_plugin.running = 1;
  if (sigsetjmp(g_guard, 1) == 0) body();
  if (g_forked_child) end_forked_child(0);
  restore_mask();
  g_in_plugin.running = 0;
  for (std::size_t i = 0; i < std::size(kPluginSignals); ++i) {
    ::sigaction(kPluginSignals[i], &before[i], nullptr);
  }
  return g_guard_signal;
}

// Whether `address` lies in an executable segment (PT_LOAD with PF_X) of a loaded object.
bool is_code(const void* address) {
  struct Query {
    std::uintptr_t address;
    bool found;
  } query{reinterpret_cast<std::uintptr_t>(address), false};
  ::dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        auto* q = static_cast<Query*>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
          const std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
          if (q->address >= start && q->address < start + ph.p_memsz) {
            q->found = true;
            return 1;
          }
        }
        return 0;
      },
      &query);
  return query.found;
}

// What dladdr() says the symbol at `address` is: "" for a function, else what it is instead.
std::string not_a_function(void* address) {
  Dl_info where{};
  void* entry = nullptr;
  if (::dladdr1(address, &where, &entry, RTLD_DL_SYMENT) != 0 && entry) {
    const auto* symbol = static_cast<const ElfW(Sym)*>(entry);
    const int type = ELF64_ST_TYPE(symbol->st_info);
    if (type == STT_OBJECT || type == STT_TLS || type == STT_COMMON) return "data (an object)";
    if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE) return "not a function";
  }
  if (!is_code(address)) return "not in any executable segment";
  return "";
}

// Copies a plugin's string (at most 255 bytes of it); call only inside guarded().
void copy_text(char (&out)[256], const char* text) {
  out[0] = '\0';
  if (text) {
    const std::size_t n = ::strnlen(text, sizeof out - 1);
    std::memcpy(out, text, n);
    out[n] = '\0';
  }
}

// Opens `path` for the checksum: only a regular file of a plausible size, with an ELF header;
// returns the descriptor at offset 0 and its stat.
int open_plugin_file(const std::string& path, const std::string& what, struct stat& st) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    const char* name = strerrorname_np(err);
    throw UsageError(what + "cannot read " + path + ": " + std::strerror(err) + " (" +
                     (name ? name : "errno") + " " + std::to_string(err) + ")");
  }
  auto refuse = [&](const std::string& why) {
    ::close(fd);
    throw UsageError(what + why);
  };
  if (::fstat(fd, &st) != 0) refuse(describe_errno("fstat(" + path + ")", errno));
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISDIR(st.st_mode)    ? "a folder"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    refuse(path + " is " + kind +
           "; a plugin is a regular file, a shared object built with cc -fPIC -shared");
  }
  if (st.st_size > kMaxPluginBytes) {
    refuse(path + " is " + std::to_string(st.st_size >> 20) +
           " MiB; a plugin kernel is a shared object of at most " +
           std::to_string(kMaxPluginBytes >> 20) + " MiB, this is not one");
  }
  unsigned char magic[SELFMAG] = {};
  const ssize_t got = ::pread(fd, magic, sizeof magic, 0);
  if (got != SELFMAG || std::memcmp(magic, ELFMAG, SELFMAG) != 0) {
    refuse("cannot load it: " + path +
           " is not an ELF file (a shared object built with cc -fPIC -shared, for this machine?)");
  }
  return fd;
}

// One unit into the rank's own counts: the KernelFn of a plugin (tests, benchmarks).
void plugin_private(std::span<const std::int32_t> data, std::span<std::uint64_t> counts) {
  std::fill(counts.begin(), counts.end(), 0);
  const CountTable table(counts);
  const Running running;
  g_plugin->info.kernel->count(data.data(), data.size(), &table.c_counts());
}

void plugin_into(std::span<const std::int32_t> data, const CountTable& table) {
  const Running running;
  g_plugin->info.kernel->count(data.data(), data.size(), &table.c_counts());
}

// The figure `fn` gives for (size, values), checked: finite, positive (updates may be 0) and
// small enough to be a count.
double checked_figure(double (*fn)(std::uint64_t, std::uint64_t), const char* field,
                      std::uint64_t size, std::uint64_t values, bool zero_allowed) {
  volatile double got = 0;
  prepare_message(g_plugin->info.name + " (" + g_plugin->info.path + ")",
                  std::string("in its ") + field + "()", kExitUsage);
  const int signal = guarded([&] { got = fn(size, values); });
  const std::string what = "--kernel " + shown(g_plugin->spec, kShownPath) + ": ";
  if (signal != 0) {
    throw UsageError(what + "its " + field + "() crashed (" + signal_name(signal) + ")");
  }
  const double value = got;
  constexpr double kMax = 9.0e18;  // Below 2^63: the CSV writes it as a whole number.
  if (!std::isfinite(value) || value < 0 || (value == 0 && !zero_allowed) || value > kMax) {
    char text[64];
    std::snprintf(text, sizeof text, "%g", value);
    throw UsageError(what + "its " + field + "(" + std::to_string(size) + ", " +
                     std::to_string(values) + ") returned " + text + "; it must be a finite " +
                     (zero_allowed ? "number >= 0" : "number > 0") + " of at most 9e18");
  }
  return value;
}

}  // namespace

bool is_plugin_spec(std::string_view text) { return text.starts_with(kPluginPrefix); }

const KernelInfo* load_plugin_kernel(std::string_view spec) {
  if (g_plugin) {
    if (g_plugin->spec == spec) return &g_plugin->kernel;
    throw UsageError("--kernel " + shown(spec, kShownPath) + ": one plugin kernel per run (" +
                     shown(g_plugin->spec, kShownPath) + " is loaded)");
  }
  std::string_view rest = spec.substr(kPluginPrefix.size());
  std::string symbol = SHMCOUNT_KERNEL_SYMBOL;
  if (const auto colon = rest.rfind(':');
      colon != std::string_view::npos && colon > 0 && is_identifier(rest.substr(colon + 1))) {
    symbol = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) {
    throw UsageError("--kernel " + shown(spec, kShownPath) +
                     ": no file; write --kernel plugin:PATH[:SYMBOL], PATH a shared object (see "
                     "shmcount/kernel.h)");
  }
  // dlopen() searches the library path for a bare name; a user means the file in this folder.
  const std::string path =
      rest.find('/') == std::string_view::npos ? "./" + std::string(rest) : std::string(rest);
  const std::string what = "--kernel " + shown(spec, kShownPath) + ": ";
  auto loaded = std::make_unique<LoadedPlugin>();
  loaded->spec = std::string(spec);
  PluginInfo& info = loaded->info;
  info.path = std::string(rest);
  info.symbol = symbol;
  {
    struct stat st {};
    const int fd = open_plugin_file(path, what, st);
    try {
      info.sha256 = sha256_of_fd(fd, path);
    } catch (const Error& e) {
      ::close(fd);
      throw UsageError(what + e.what());
    }
    ::close(fd);
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      info.warning = what + path + " is writable by " +
                     ((st.st_mode & S_IWOTH) ? "anyone" : "its group") + " (mode " + mode +
                     "): whoever can write it runs code in this job; chmod go-w it";
    }
  }
  // Its constructors run here: they are code of the plugin's like any other.
  static bool exit_handlers = false;
  if (!exit_handlers) {
    register_exit_handlers();
    ::pthread_atfork(nullptr, nullptr, on_fork_child);
  }
  exit_handlers = true;
  prepare_message("the plugin " + path, "while being loaded", kExitUsage);
  void* handle = nullptr;
  int signal = guarded([&] { handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL); });
  if (signal != 0) {
    throw UsageError(what + "it crashed while being loaded (" + signal_name(signal) +
                     ", in a constructor of its own?)");
  }
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
  if (const std::string why = not_a_function(found); !why.empty()) {
    throw UsageError(what + "its '" + symbol + "' is " + why +
                     ", not a function; export const struct shmcount_kernel* " + symbol +
                     "(void) (shmcount/kernel.h), or name yours: plugin:PATH:SYMBOL");
  }
  // Describing itself and reading what it described are the plugin's code and memory: a fault
  // in either is a refusal, and its strings are copied before anything else uses them.
  const auto describe = reinterpret_cast<shmcount_kernel_fn>(found);
  prepare_message("the plugin " + path, "in " + symbol + "()", kExitUsage);
  const shmcount_kernel* volatile described = nullptr;
  static shmcount_kernel copy;
  static char name[256], description[256], work_unit[256];
  signal = guarded([&] {
    described = describe();
    if (described) {
      copy = *described;
      copy_text(name, copy.name);
      copy_text(description, copy.description);
      copy_text(work_unit, copy.work_unit);
    }
  });
  if (signal != 0) {
    throw UsageError(what + symbol + "() crashed (" + signal_name(signal) +
                     "), or what it returned is not a readable struct shmcount_kernel");
  }
  if (!described) throw UsageError(what + symbol + "() returned no kernel (NULL)");
  if (copy.abi != SHMCOUNT_KERNEL_ABI) {
    throw UsageError(what + "it was built against interface version " + std::to_string(copy.abi) +
                     " of shmcount/kernel.h; this shmcount speaks version " +
                     std::to_string(SHMCOUNT_KERNEL_ABI) +
                     ": rebuild it with this shmcount's "
                     "header");
  }
  if (!copy.count) throw UsageError(what + "its kernel has no count function");
  const std::pair<const void*, const char*> functions[] = {
      {reinterpret_cast<const void*>(copy.count), "count"},
      {reinterpret_cast<const void*>(copy.verify), "verify"},
      {reinterpret_cast<const void*>(copy.work_per_unit), "work_per_unit"},
      {reinterpret_cast<const void*>(copy.updates_per_unit), "updates_per_unit"}};
  for (const auto& [address, field] : functions) {
    if (address && !is_code(address)) {
      throw UsageError(what + "its kernel's " + field +
                       " does not point to code (not in any executable segment)");
    }
  }
  loaded->copy = copy;
  info.kernel = &loaded->copy;
  info.name = *name ? name : std::string(rest);
  info.description = description;
  info.work_unit = *work_unit ? work_unit : "element visits";
  loaded->algorithm = "plugin " + info.name;
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

void check_plugin_figures(const KernelInfo& kernel, std::uint64_t size, std::uint64_t values) {
  if (!kernel.plugin || !g_plugin) return;
  const shmcount_kernel& k = *kernel.plugin->kernel;
  if (k.work_per_unit) checked_figure(k.work_per_unit, "work_per_unit", size, values, false);
  if (k.updates_per_unit) {
    checked_figure(k.updates_per_unit, "updates_per_unit", size, values, true);
  }
}

void arm_plugin_crash_handlers(int world_rank) {
  if (!g_plugin) return;
  prepare_message("rank " + std::to_string(world_rank) + ": the plugin kernel " +
                      g_plugin->info.name + " (" + g_plugin->info.path + ")",
                  "in its code", kExitFailure);
  register_exit_handlers();
  save_mask();
  g_main_thread = static_cast<pid_t>(::syscall(SYS_gettid));
  struct sigaction action {};
  action.sa_handler = on_plugin_signal;
  action.sa_flags = kEndingHandlerFlags;
  for (int signal : kPluginSignals) ::sigaction(signal, &action, nullptr);
}

int plugin_verify(const KernelInfo& kernel, std::span<const std::int32_t> data,
                  const CountTable& counts, char* why, std::size_t why_size) {
  const Running running;
  return kernel.plugin->kernel->verify(data.data(), data.size(), &counts.c_counts(), why, why_size);
}

void plugin_process_ending(int status) {
  if (g_forked_child) return;  // A child of plugin code: it just ends.
  if (g_in_plugin.running && !detail::g_ending) end_in_plugin("called _exit(", status, true);
}

}  // namespace shmcount
