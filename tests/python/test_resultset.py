"""The sweep's result set folder (scripts/sweeping/resultset.py, issue 28): a sweep writes only
into a folder it made or one holding a sweep's own settings (resume), never through a symbolic
link and never into a folder of other files; a refusal creates and moves nothing."""

import os
import shutil
import tempfile
import unittest

import resultsets  # noqa: F401 (puts scripts/ on the path)
from sweeping.resultset import LOCK, MATRIX, ResultSet, SetError

SETTINGS = "RANKS=1\nSEED=7\n"
MACHINE = "pu,core\n0,0\n"


def listing(folder):
    """Every path under folder, relative to it (links not followed), sorted."""
    out = []
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            out.append(os.path.relpath(os.path.join(root, name), folder))
    return sorted(out)


class Folder(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="resultset-test-")
        self.addCleanup(shutil.rmtree, self.root)
        self.opened = []

    def tearDown(self):
        for rset in self.opened:
            os.close(rset.lock_fd)

    def open(self, name, settings=SETTINGS):
        rset = ResultSet(self.root, name)
        rset.open(settings, MACHINE)
        self.opened.append(rset)
        return rset

    def refused(self, name, pattern):
        """ResultSet(name) is refused by check_folder and by open alike, with pattern in the
        message; nothing under the test's folder is created, moved or changed."""
        before = listing(self.root)
        rset = ResultSet(self.root, name)
        with self.assertRaisesRegex(SetError, pattern):
            rset.check_folder()
        with self.assertRaisesRegex(SetError, pattern):
            rset.open(SETTINGS, MACHINE)
        self.assertIsNone(rset.lock_fd)
        self.assertEqual(listing(self.root), before)

    def test_a_new_folder_is_made_and_opened(self):
        rset = self.open("new")
        self.assertEqual(sorted(os.listdir(rset.path)),
                         sorted([LOCK, "machine.csv", MATRIX, "points"]))

    def test_the_same_settings_resume_a_set_and_other_settings_are_refused(self):
        rset = self.open("set")
        os.makedirs(rset.file("points", "np1"))
        with open(rset.file("points", "np1", "r1.status"), "w") as f:
            f.write("done\n1.0\n")
        os.close(self.opened.pop().lock_fd)
        ResultSet(self.root, "set").check_folder()
        self.open("set")
        os.close(self.opened.pop().lock_fd)
        with self.assertRaisesRegex(SetError, "holds a sweep with other settings"):
            self.open("set", "RANKS=2\n")

    def test_an_empty_folder_is_taken_as_new(self):
        os.mkdir(os.path.join(self.root, "empty"))
        self.open("empty")

    def test_a_folder_a_sweep_left_before_writing_its_settings_is_resumed(self):
        """Stopped between making the folder and writing matrix.txt: sweep.lock, an empty
        points/ and matrix.txt.tmp at most."""
        folder = os.path.join(self.root, "early")
        os.makedirs(os.path.join(folder, "points"))
        for name in (LOCK, MATRIX + ".tmp"):
            with open(os.path.join(folder, name), "w") as f:
                f.write("1\n")
        self.open("early")

    def test_a_symbolic_link_to_a_folder_is_refused(self):
        target = os.path.join(self.root, "target")
        os.mkdir(target)
        os.symlink(target, os.path.join(self.root, "link"))
        self.refused("link", f"link is a symbolic link \\(to {target}\\): a sweep writes only "
                             "into a folder it made, never through a link; give another NAME")
        self.assertEqual(os.listdir(target), [])

    def test_a_symbolic_link_to_a_sweeps_set_is_refused(self):
        rset = self.open("real")
        os.close(self.opened.pop().lock_fd)
        before = listing(rset.path)
        os.symlink(rset.path, os.path.join(self.root, "link"))
        self.refused("link", "link is a symbolic link")
        self.assertEqual(listing(rset.path), before)

    def test_a_dangling_or_relative_symbolic_link_is_refused(self):
        os.symlink(os.path.join(self.root, "nowhere"), os.path.join(self.root, "dangling"))
        self.refused("dangling", "dangling is a symbolic link")
        self.assertFalse(os.path.lexists(os.path.join(self.root, "nowhere")))
        os.symlink("dangling", os.path.join(self.root, "relative"))
        self.refused("relative", "relative is a symbolic link \\(to dangling\\)")

    def test_a_folder_that_is_not_a_sweep_is_refused(self):
        folder = os.path.join(self.root, "mine")
        os.mkdir(folder)
        with open(os.path.join(folder, "notes.txt"), "w") as f:
            f.write("mine\n")
        self.refused("mine", "mine is a folder no sweep made \\(no matrix.txt in it, and it holds "
                             "notes.txt\\): .*give another NAME, or remove it yourself")

    def test_a_result_set_copied_without_its_settings_is_refused(self):
        """A manifest and points, but no matrix.txt: no sweep's settings to resume."""
        folder = os.path.join(self.root, "copied")
        os.makedirs(os.path.join(folder, "points", "np1"))
        with open(os.path.join(folder, "manifest.csv"), "w") as f:
            f.write("round,order,point\n")
        self.refused("copied", "copied is a folder no sweep made .*manifest.csv")
        os.remove(os.path.join(folder, "manifest.csv"))
        self.refused("copied", "copied is a folder no sweep made .*points/...")

    def test_a_file_is_refused(self):
        with open(os.path.join(self.root, "file"), "w") as f:
            f.write("mine\n")
        self.refused("file", "file is not a folder: give another NAME")

    def test_a_linked_points_folder_or_point_folder_is_refused(self):
        rset = self.open("set")
        os.close(self.opened.pop().lock_fd)
        elsewhere = os.path.join(self.root, "elsewhere")
        os.mkdir(elsewhere)
        os.symlink(elsewhere, rset.file("points", "np1"))
        self.refused("set", "points/np1 is a symbolic link")
        os.remove(rset.file("points", "np1"))
        os.rmdir(rset.file("points"))
        os.symlink(elsewhere, rset.file("points"))
        self.refused("set", "set/points is a symbolic link")
        self.assertEqual(os.listdir(elsewhere), [])

    def test_a_linked_lock_is_not_followed(self):
        rset = self.open("set")
        os.close(self.opened.pop().lock_fd)
        os.remove(rset.file(LOCK))
        victim = os.path.join(self.root, "victim")
        with open(victim, "w") as f:
            f.write("mine\n")
        os.symlink(victim, rset.file(LOCK))
        with self.assertRaisesRegex(SetError, "cannot create"):
            ResultSet(self.root, "set").open(SETTINGS, MACHINE)
        with open(victim) as f:
            self.assertEqual(f.read(), "mine\n")


if __name__ == "__main__":
    unittest.main()
