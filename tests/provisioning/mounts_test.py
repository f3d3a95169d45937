"""Finding 17 of issue 8: ci/provision bind-mounts the repository into a root while its peers
build. The mount must be read-only from the moment it appears (a SIGKILL of ci/provision at any
moment must not leave the repository writable inside a root), and a leftover mount is removed
by the next run. Needs root (mount); skipped otherwise."""

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ci"))
from provisioning import mounts  # noqa: E402


@unittest.skipUnless(os.geteuid() == 0, "needs root to mount")
class BindReadOnly(unittest.TestCase):
    def setUp(self):
        self.top = Path(tempfile.mkdtemp(prefix="tlsmatrix-mounts-"))
        self.source = self.top / "repository"
        self.target = self.top / "root" / "tlsmatrix"
        self.source.mkdir()
        (self.source / "file").write_text("repository\n")

    def tearDown(self):
        mounts.unmount_under(self.top)
        subprocess.run(["rm", "-rf", "--one-file-system", str(self.top)], check=False)

    def assert_read_only(self):
        self.assertTrue(mounts.is_read_only(self.target))
        with self.assertRaises(OSError) as raised:
            (self.target / "written").write_text("x")
        self.assertEqual(raised.exception.errno, 30)  # EROFS
        self.assertEqual((self.target / "file").read_text(), "repository\n")

    def test_the_mount_is_read_only(self):
        mounts.bind_read_only(self.source, self.target)
        self.assert_read_only()

    def test_a_killed_provisioner_leaves_it_read_only_and_the_next_run_removes_it(self):
        # A child that mounts and is killed at once: nothing runs between mount and kill.
        script = textwrap.dedent(f"""
            import os, signal, sys
            sys.path.insert(0, {str(Path(mounts.__file__).parents[1])!r})
            from provisioning import mounts
            mounts.bind_read_only(__import__('pathlib').Path({str(self.source)!r}),
                                  __import__('pathlib').Path({str(self.target)!r}))
            os.kill(os.getpid(), signal.SIGKILL)
        """)
        done = subprocess.run([sys.executable, "-c", script])
        self.assertEqual(done.returncode, -signal.SIGKILL)
        self.assertEqual(mounts.under(self.target), [str(self.target)])
        self.assert_read_only()
        mounts.unmount_under(self.top)  # what the next run does first
        self.assertEqual(mounts.under(self.top), [])


if __name__ == "__main__":
    unittest.main()
