"""scripts/numavm without booting: topology specs and presets, QEMU's arguments, the initramfs
archive, and the command line's refusals (exit 2, one line)."""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "scripts"))

from numavm import initramfs, topology  # noqa: E402

NUMA_VM = os.path.join(SOURCE, "scripts", "numa_vm.py")


class Topologies(unittest.TestCase):
    def test_every_preset_builds_and_covers_its_cpus_once(self):
        for name in topology.PRESETS:
            t = topology.build(name)
            cpus = sorted(c for n in t.nodes for c in n.cpus)
            self.assertEqual(cpus, list(range(t.cpus)), name)
            self.assertEqual(len(t.distances), len(t.nodes), name)

    def test_memory_tiers_has_a_memoryless_and_a_memory_only_node(self):
        t = topology.build("memory-tiers")
        self.assertEqual([n.mem_mib for n in t.nodes], [384, 0, 256])
        self.assertEqual([n.cpus for n in t.nodes], [[0, 1], [2, 3], []])
        self.assertEqual(t.distances[1][2], 28)

    def test_qemu_args_give_each_node_its_memory_cpus_and_distances(self):
        args = topology.qemu_args(topology.build("memory-tiers"))
        joined = " ".join(args)
        self.assertIn("cpus=4,sockets=2,cores=2,threads=1", joined)
        self.assertIn("-m 640M", joined)
        self.assertIn("node,nodeid=0,memdev=mem0,cpus=0-1", joined)
        self.assertIn("node,nodeid=1,cpus=2-3", joined)  # No memdev: no memory.
        self.assertIn("node,nodeid=2,memdev=mem2", joined)
        self.assertIn("dist,src=2,dst=1,val=28", joined)
        self.assertNotIn("memdev=mem1", joined)

    def test_defaults_split_cpus_evenly_with_distance_20(self):
        t = topology.parse("packages=2 cores=2 threads=2 nodes=2")
        self.assertEqual([n.cpus for n in t.nodes], [[0, 1, 2, 3], [4, 5, 6, 7]])
        self.assertEqual(t.distances, [[10, 20], [20, 10]])

    def test_wrong_specs_are_refused_with_what_is_allowed(self):
        cases = {
            "nope": "use one of two-packages",
            "packages=x": "not a whole number",
            "packages=9": "allowed 1 to 8",
            "sockets=2": "a key of packages",
            "packages=2 packages=2": "given twice",
            "packages=4 cores=4 threads=2": "at most 16",
            "cores=3 nodes=2 packages=1": "do not split evenly",
            "nodes=2 cpus=0-1/1-3": "exactly one node",
            "nodes=2 mem=384": "1 size(s) for nodes=2",
            "nodes=2 mem=32/384": "at least 64",
            "nodes=2 mem=0/384": "node 0 must have memory",
            "nodes=3 cpus=0-3// mem=384/0/256": "neither CPUs nor memory",
            "nodes=2 distances=10,20/20": "a 2x2 matrix",
            "nodes=2 distances=12,20/20,10": "to itself must be 10",
            "nodes=2 distances=10,10/20,10": "more than 10",
        }
        for spec, words in cases.items():
            with self.assertRaises(topology.TopologyError, msg=spec) as caught:
                topology.build(spec)
            self.assertIn(words, str(caught.exception), spec)


class Initramfs(unittest.TestCase):
    def test_cpio_entries_are_newc_and_end_with_the_trailer(self):
        data = initramfs.cpio([("init", 0o100755, b"#!/bin/sh\n"), ("bin", 0o40755, b"")])
        self.assertTrue(data.startswith(b"070701"))
        self.assertIn(b"init\0", data)
        self.assertIn(b"TRAILER!!!\0", data)
        self.assertEqual(len(data) % 4, 0)
        # The first entry's size field (the 7th) is its data's length.
        self.assertEqual(int(data[6 + 6 * 8:6 + 7 * 8], 16), len(b"#!/bin/sh\n"))

    def test_modules_come_in_dependency_order(self):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "9.9"))
            with open(os.path.join(root, "9.9", "modules.dep"), "w") as f:
                f.write("kernel/a/virtio_pci.ko: kernel/a/virtio.ko\nkernel/a/virtio.ko:\n"
                        "kernel/n/9pnet_virtio.ko: kernel/n/9pnet.ko kernel/a/virtio.ko\n"
                        "kernel/n/9pnet.ko:\nkernel/f/9p.ko: kernel/n/9pnet.ko\n"
                        "kernel/f/overlay.ko:\n")
            order = [os.path.basename(p) for p in initramfs.modules_for("9.9", root)]
            self.assertEqual(order, ["virtio.ko", "virtio_pci.ko", "9pnet.ko", "9pnet_virtio.ko",
                                     "9p.ko", "overlay.ko"])

    def test_a_kernel_without_9p_is_a_guest_error(self):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "9.9"))
            open(os.path.join(root, "9.9", "modules.dep"), "w").close()
            with self.assertRaisesRegex(Exception, "no module virtio_pci"):
                initramfs.modules_for("9.9", root)


class CommandLine(unittest.TestCase):
    def run_vm(self, *args):
        return subprocess.run([sys.executable, NUMA_VM, *args], capture_output=True, text=True)

    def test_show_prints_the_topology_without_booting(self):
        p = self.run_vm("--topology", "four-nodes-smt", "--show")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 package(s) x 2 core(s) x 2 thread(s), 4 NUMA node(s)", p.stdout)

    def test_bad_options_exit_2_with_one_message(self):
        for args, words in ((["--topology", "nope", "true"], "no topology 'nope'"),
                            (["--hugepages", "-1", "true"], "allowed 0 to 512"),
                            (["--timeout", "0", "true"], "more than 0"),
                            ([], "no command")):
            p = self.run_vm(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(words, p.stderr, args)


if __name__ == "__main__":
    unittest.main()
