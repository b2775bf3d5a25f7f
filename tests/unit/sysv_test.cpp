// The segment lifecycle on real System V shared memory, and the fault seam's messages.
#include "memory/sysv.hpp"

#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/error.hpp"
#include "common/fault.hpp"

namespace shmcount {
namespace {

bool segment_exists(int id) {
  struct shmid_ds ds {};
  return ::shmctl(id, IPC_STAT, &ds) == 0;
}

std::string error_of(void (*step)()) {
  try {
    step();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void inject(const char* what, int err) {
  FaultPlan f;
  f.what = what;
  f.rank = 0;
  f.err = err;
  set_process_fault(f, 0);
}

class Segment : public ::testing::Test {
 protected:
  void TearDown() override { set_process_fault(FaultPlan{}, 0); }
};

TEST_F(Segment, CreatedPrivateMode0600AndMarkedSegmentStaysUntilLastDetach) {
  int id = -1;
  {
    CreatedSegment seg = CreatedSegment::create(4096);
    id = seg.id();
    Attachment a = Attachment::attach(id, 4096);
    seg.mark_for_removal();
    struct shmid_ds ds {};
    ASSERT_EQ(::shmctl(id, IPC_STAT, &ds), 0);
    EXPECT_EQ(ds.shm_perm.mode & 0777, 0600u);
    EXPECT_EQ(ds.shm_perm.__key, IPC_PRIVATE);
    EXPECT_TRUE(ds.shm_perm.mode & SHM_DEST);
    // A second attachment of the marked segment works (Linux), as the node's other ranks need.
    Attachment b = Attachment::attach(id, 4096);
    static_cast<int*>(a.data())[0] = 42;
    EXPECT_EQ(static_cast<int*>(b.data())[0], 42);
  }
  EXPECT_FALSE(segment_exists(id));
}

TEST_F(Segment, UnmarkedSegmentIsRemovedOnDestruction) {
  int id = -1;
  {
    CreatedSegment seg = CreatedSegment::create(4096);
    id = seg.id();
    EXPECT_TRUE(segment_exists(id));
  }
  EXPECT_FALSE(segment_exists(id));
}

TEST_F(Segment, ASegmentWithOtherPermissionsIsRefused) {
  const int id = ::shmget(IPC_PRIVATE, 4096, IPC_CREAT | IPC_EXCL | 0644);
  ASSERT_GE(id, 0);
  std::string message;
  try {
    Attachment::attach(id, 4096);
  } catch (const Error& e) {
    message = e.what();
  }
  ::shmctl(id, IPC_RMID, nullptr);
  EXPECT_NE(message.find("mode 0644"), std::string::npos) << message;
  EXPECT_NE(message.find("refusing"), std::string::npos);
}

TEST_F(Segment, ASegmentSmallerThanAskedIsRefused) {
  CreatedSegment seg = CreatedSegment::create(4096);
  EXPECT_THROW(Attachment::attach(seg.id(), 1 << 20), Error);
}

TEST_F(Segment, ABadIdTakesTheErrorPath) {
  const std::string message = error_of([] { Attachment::attach(-1, 16); });
  EXPECT_NE(message.find("shmat(-1, NULL, 0) failed"), std::string::npos) << message;
}

TEST_F(Segment, InjectedShmgetFailuresNameTheCallAndTheLimit) {
  inject("shmget", ENOSPC);
  std::string m = error_of([] { CreatedSegment::create(800000); });
  EXPECT_NE(m.find("shmget(IPC_PRIVATE, 800000, IPC_CREAT|IPC_EXCL|0600) failed"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("ENOSPC"), std::string::npos);
  EXPECT_NE(m.find("kernel.shmmni"), std::string::npos);
  EXPECT_NE(m.find("not disk space"), std::string::npos);
  inject("shmget", EINVAL);
  m = error_of([] { CreatedSegment::create(800000); });
  EXPECT_NE(m.find("kernel.shmmax"), std::string::npos) << m;
  inject("shmget", ENOMEM);
  EXPECT_NE(error_of([] { CreatedSegment::create(8); }).find("not enough memory"),
            std::string::npos);
  inject("shmget", EPERM);
  EXPECT_NE(error_of([] { CreatedSegment::create(8); }).find("EPERM"), std::string::npos);
}

TEST_F(Segment, InjectedShmatAndShmctlFailuresLeaveNothing) {
  int id = -1;
  {
    CreatedSegment seg = CreatedSegment::create(4096);
    id = seg.id();
    inject("shmat", EACCES);
    const std::string m = error_of([] { Attachment::attach(0, 16); });
    EXPECT_NE(m.find("EACCES"), std::string::npos) << m;
    EXPECT_NE(m.find("another user"), std::string::npos) << m;
    inject("shmctl", EIDRM);
    try {
      seg.mark_for_removal();
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("IPC_RMID"), std::string::npos);
    }
  }
  EXPECT_FALSE(segment_exists(id));  // The destructor removed what the failed mark did not.
}

TEST(FaultPlan, ParsesAndRejectsSpecs) {
  ::setenv("SHMCOUNT_FAULT", "shmat:EACCES@3", 1);
  const FaultPlan f = FaultPlan::from_environment();
  EXPECT_EQ(f.what, "shmat");
  EXPECT_EQ(f.err, EACCES);
  EXPECT_EQ(f.rank, 3);
  ::setenv("SHMCOUNT_FAULT", "shmat:EWHAT@1", 1);
  EXPECT_THROW(FaultPlan::from_environment(), Error);
  ::setenv("SHMCOUNT_FAULT", "stall:kernel", 1);
  EXPECT_THROW(FaultPlan::from_environment(), Error);
  ::unsetenv("SHMCOUNT_FAULT");
  EXPECT_TRUE(FaultPlan::from_environment().what.empty());
}

}  // namespace
}  // namespace shmcount
