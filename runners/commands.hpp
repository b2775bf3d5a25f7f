// What main() dispatches to once the options are parsed.
#pragma once

#include "cli/options.hpp"
#include "runners/mpi_job.hpp"

namespace shmcount {

// The benchmark: attach, pin, time, verify, gather, write, summarise. Throws JobFailed on every
// rank when anything fails (exit code 3 for wrong counts).
void run_benchmark(const Options& options, const MpiJob& job);

// The latency map (--latency): exactly 2 ranks on one node bounce one cache line between the
// PUs of every pair. Throws JobFailed on every rank when anything fails (exit code 3 for a broken
// handoff).
void run_latency(const Options& options, const MpiJob& job);

// --plan --latency: the pairs a map would measure on this machine or --topology, as text.
// Throws Error.
std::string latency_plan_text(const Options& options);

// --plan outside mpirun: the plan for options.plan_ranks ranks on this machine or --topology.
// Throws Error.
void print_plan(const Options& options);

// --domains: the domains of this machine (PUs outside this process's binding marked) or of
// --topology, as text. Throws Error.
std::string domains_text(const Options& options);

// What --list lists, one entry each (runners/list_command.cpp).
std::span<const Listing> list_table();

// --list WHAT: tab-separated, a header line first. Throws UsageError for a WHAT no entry has.
std::string list_text(const std::string& what);

// --plan under mpirun: world rank 0 prints the plan of every node.
void print_plan_per_node(const Options& options, const MpiJob& job);

}  // namespace shmcount
