// What shmcount reads from a launcher's environment (runners/launcher.cpp), from fabricated
// environments: which launcher started the process, how many ranks, the rank before MPI starts,
// whether the user asked for a binding, what shmcount sets for Open MPI, and the MPI mismatch.
#include "runners/launcher.hpp"

#include <gtest/gtest.h>

#include <string>

namespace shmcount {
namespace {

bool open_mpi_build() { return std::string(built_mpi_family()) == "Open MPI"; }

TEST(Launcher, NoLauncherVariablesMeansASingleton) {
  const MapEnvironment none;
  EXPECT_FALSE(under_launcher(none));
  const LaunchEnv env = launch_env(none);
  EXPECT_EQ(env.launcher, "");
  EXPECT_EQ(env.size, 0);
  EXPECT_EQ(env.evidence, "");
  EXPECT_FALSE(env.pmix);
  EXPECT_FALSE(env.pmi);
  // Unrelated variables do not make a launcher.
  EXPECT_FALSE(under_launcher(MapEnvironment{{"SLURM_JOB_ID", "7"}, {"OMPI_MCA_pml", "ob1"}}));
}

TEST(Launcher, EachLaunchersVariableTellsItStartedTheProcess) {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "SLURM_STEP_ID"}) {
    EXPECT_TRUE(under_launcher(MapEnvironment{{name, "1"}})) << name;
  }
}

TEST(Launcher, OpenMpisMpirun) {
  const LaunchEnv env = launch_env(MapEnvironment{
      {"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_RANK", "2"}, {"PMIX_RANK", "2"}});
  EXPECT_EQ(env.launcher, "Open MPI's mpirun");
  EXPECT_EQ(env.size, 4);
  EXPECT_EQ(env.evidence, "OMPI_COMM_WORLD_SIZE=4");
  EXPECT_TRUE(env.pmix);
  EXPECT_FALSE(env.pmi);
}

TEST(Launcher, SlurmsSrunPrefersTheStepsTaskCount) {
  const LaunchEnv step = launch_env(MapEnvironment{{"SLURM_STEP_ID", "0"},
                                                   {"SLURM_STEP_NUM_TASKS", "3"},
                                                   {"SLURM_NTASKS", "8"},
                                                   {"SLURM_MPI_TYPE", "pmix"},
                                                   {"PMIX_RANK", "1"}});
  EXPECT_EQ(step.launcher, "Slurm's srun");
  EXPECT_EQ(step.size, 3);
  EXPECT_EQ(step.evidence, "SLURM_STEP_NUM_TASKS=3 SLURM_MPI_TYPE=pmix");
  EXPECT_TRUE(step.pmix);
  const LaunchEnv job =
      launch_env(MapEnvironment{{"SLURM_STEP_ID", "0"}, {"SLURM_NTASKS", "8"}, {"PMI_FD", "5"}});
  EXPECT_EQ(job.launcher, "Slurm's srun");
  EXPECT_EQ(job.size, 8);
  EXPECT_EQ(job.evidence, "SLURM_NTASKS=8");
  EXPECT_TRUE(job.pmi);
  // A step id without a task count is no srun step this can size (and no other launcher).
  EXPECT_EQ(launch_env(MapEnvironment{{"SLURM_STEP_ID", "0"}}).launcher, "");
}

TEST(Launcher, MpichsHydra) {
  const LaunchEnv env =
      launch_env(MapEnvironment{{"PMI_SIZE", "2"}, {"PMI_RANK", "1"}, {"PMI_FD", "6"}});
  EXPECT_EQ(env.launcher, "MPICH's mpiexec (Hydra)");
  EXPECT_EQ(env.size, 2);
  EXPECT_EQ(env.evidence, "PMI_SIZE=2");
  EXPECT_TRUE(env.pmi);
  EXPECT_FALSE(env.pmix);
  // Hydra's control descriptor alone: Hydra, of a size it does not say.
  const LaunchEnv control = launch_env(MapEnvironment{{"HYDI_CONTROL_FD", "9"}});
  EXPECT_EQ(control.launcher, "MPICH's mpiexec (Hydra)");
  EXPECT_EQ(control.size, 0);
}

TEST(Launcher, PmixAloneIsSomePmixLauncher) {
  const LaunchEnv env = launch_env(MapEnvironment{{"PMIX_RANK", "0"}});
  EXPECT_EQ(env.launcher, "a PMIx launcher");
  EXPECT_EQ(env.evidence, "PMIX_RANK=0");
  EXPECT_EQ(env.size, 0);
}

TEST(Launcher, RankBeforeMpiStarts) {
  // Stale rank variables without a launcher: rank 0.
  EXPECT_EQ(launcher_rank(MapEnvironment{{"OMPI_COMM_WORLD_RANK", "3"}, {"SLURM_PROCID", "5"}}), 0);
  EXPECT_EQ(launcher_rank(MapEnvironment{
                {"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_RANK", "3"}, {"PMIX_RANK", "1"}}),
            3);
  EXPECT_EQ(launcher_rank(MapEnvironment{{"PMI_SIZE", "4"}, {"PMI_RANK", "2"}}), 2);
  EXPECT_EQ(launcher_rank(MapEnvironment{{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "7"}}), 7);
  // A launcher that does not say the rank: 0.
  EXPECT_EQ(launcher_rank(MapEnvironment{{"SLURM_STEP_ID", "0"}}), 0);
}

TEST(Launcher, BindingTheUserAskedFor) {
  EXPECT_FALSE(launcher_binding_requested(MapEnvironment{}));
  EXPECT_TRUE(
      launcher_binding_requested(MapEnvironment{{"OMPI_MCA_hwloc_base_binding_policy", "core"}}));
  EXPECT_TRUE(launcher_binding_requested(
      MapEnvironment{{"OMPI_MCA_rmaps_base_mapping_policy", "ppr:2:package"}}));
  EXPECT_TRUE(launcher_binding_requested(MapEnvironment{{"SLURM_CPU_BIND_TYPE", "mask_cpu:"}}));
  EXPECT_TRUE(launcher_binding_requested(MapEnvironment{{"HYDRA_USER_PROVIDED_BINDING", "1"}}));
  // srun --cpu-bind=none, mpiexec -bind-to none, and empty values ask for nothing.
  EXPECT_FALSE(launcher_binding_requested(MapEnvironment{{"SLURM_CPU_BIND", "quiet,none"},
                                                         {"SLURM_CPU_BIND_TYPE", "none"},
                                                         {"SLURM_CPU_BIND_LIST", ""}}));
  EXPECT_FALSE(launcher_binding_requested(MapEnvironment{{"HYDRA_BINDING", "none"}}));
  EXPECT_FALSE(launcher_binding_requested(MapEnvironment{{"OMPI_MCA_hwloc_base_cpu_set", ""}}));
}

TEST(Launcher, StartingBindingsAreAChoiceOutsideALauncherOrWhenAsked) {
  EXPECT_TRUE(launch_bindings_chosen(MapEnvironment{}));
  EXPECT_FALSE(launch_bindings_chosen(MapEnvironment{{"OMPI_COMM_WORLD_SIZE", "2"}}));
  EXPECT_TRUE(launch_bindings_chosen(MapEnvironment{
      {"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_MCA_hwloc_base_binding_policy", "core"}}));
}

TEST(Launcher, BindingVariablesInTableOrder) {
  EXPECT_EQ(launcher_binding_variables(MapEnvironment{}), "");
  EXPECT_EQ(
      launcher_binding_variables(MapEnvironment{{"SLURM_CPU_BIND_TYPE", "cores"},
                                                {"OMPI_MCA_hwloc_base_binding_policy", "core"},
                                                {"PATH", "/bin"}}),
      "OMPI_MCA_hwloc_base_binding_policy=core SLURM_CPU_BIND_TYPE=cores");
}

TEST(Launcher, Ob1OnlyForAnOpenMpiJobOnOneNode) {
  const MapEnvironment one_node{{"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "4"}};
  if (!open_mpi_build()) {
    EXPECT_EQ(pml_to_choose(one_node), "");
    return;
  }
  EXPECT_EQ(pml_to_choose(one_node), "ob1");
  EXPECT_EQ(pml_to_choose(
                MapEnvironment{{"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}}),
            "");
  EXPECT_EQ(pml_to_choose(MapEnvironment{{"OMPI_COMM_WORLD_SIZE", "4"},
                                         {"OMPI_COMM_WORLD_LOCAL_SIZE", "4"},
                                         {"OMPI_MCA_pml", "ucx"}}),
            "");
  // srun, a singleton: the node's ranks are not known to be all of them.
  EXPECT_EQ(pml_to_choose(MapEnvironment{{"SLURM_STEP_ID", "0"}, {"SLURM_NTASKS", "2"}}), "");
  EXPECT_EQ(pml_to_choose(MapEnvironment{}), "");
}

TEST(Launcher, AnotherMpisLauncherIsRefusedBeforeMpiStarts) {
  const LaunchEnv hydra =
      launch_env(MapEnvironment{{"PMI_SIZE", "2"}, {"PMI_RANK", "0"}, {"PMI_FD", "6"}});
  const LaunchEnv mpirun =
      launch_env(MapEnvironment{{"OMPI_COMM_WORLD_SIZE", "2"}, {"PMIX_RANK", "0"}});
  const LaunchEnv srun_pmi2 = launch_env(
      MapEnvironment{{"SLURM_STEP_ID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}, {"PMI_FD", "6"}});
  const LaunchEnv srun_pmix = launch_env(
      MapEnvironment{{"SLURM_STEP_ID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}, {"PMIX_RANK", "0"}});
  EXPECT_EQ(launch_mismatch(launch_env(MapEnvironment{}), 0), "");
  if (open_mpi_build()) {
    EXPECT_EQ(launch_mismatch(mpirun, 0), "");
    EXPECT_EQ(launch_mismatch(srun_pmix, 0), "");
    const std::string why = launch_mismatch(hydra, 0);
    EXPECT_NE(why.find("MPICH's mpiexec (Hydra) started this process (PMI_SIZE=2) but shmcount "
                       "is built with Open MPI, which cannot join its job"),
              std::string::npos)
        << why;
    EXPECT_NE(why.find("mpiexec.mpich"), std::string::npos) << why;
    EXPECT_NE(launch_mismatch(srun_pmi2, 0).find("through PMI-2 (srun --mpi=pmi2)"),
              std::string::npos);
  } else {
    EXPECT_EQ(launch_mismatch(hydra, 0), "");
    EXPECT_EQ(launch_mismatch(srun_pmi2, 0), "");
    EXPECT_NE(launch_mismatch(mpirun, 0).find("Open MPI's mpirun started this process"),
              std::string::npos);
  }
}

TEST(Launcher, RanksThatStartedAloneAreAMismatchOnceMpiStarts) {
  const LaunchEnv env = launch_env(MapEnvironment{{"OMPI_COMM_WORLD_SIZE", "4"}});
  const std::string why = launch_mismatch(env, 1);
  EXPECT_NE(why.find("Open MPI's mpirun started 4 ranks (OMPI_COMM_WORLD_SIZE=4) but MPI sees 1: "
                     "each rank started alone"),
            std::string::npos)
      << why;
  EXPECT_EQ(launch_mismatch(env, 4), "");
  // One rank that sees one: nothing wrong.
  EXPECT_EQ(launch_mismatch(launch_env(MapEnvironment{{"OMPI_COMM_WORLD_SIZE", "1"}}), 1), "");
}

TEST(Launcher, TheProcessEnvironmentIsGetenv) {
  ::setenv("SHMCOUNT_LAUNCHER_TEST_VARIABLE", "x", 1);
  ASSERT_NE(process_environment().get("SHMCOUNT_LAUNCHER_TEST_VARIABLE"), nullptr);
  EXPECT_STREQ(process_environment().get("SHMCOUNT_LAUNCHER_TEST_VARIABLE"), "x");
  ::unsetenv("SHMCOUNT_LAUNCHER_TEST_VARIABLE");
  EXPECT_EQ(process_environment().get("SHMCOUNT_LAUNCHER_TEST_VARIABLE"), nullptr);
}

}  // namespace
}  // namespace shmcount
