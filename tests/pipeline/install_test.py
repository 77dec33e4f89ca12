#!/usr/bin/python3
"""Checks `cmake --install` into a scratch prefix: the layout, the units, the man page, and that
the installed binary, run from / , takes its defaults from <prefix>/share/rssflow and never from
the source tree. scripts/package_test.sh does the same for the Debian package, as root.

Usage (ctest, tests/pipeline/CMakeLists.txt): install_test.py CMAKE BUILD_DIR SOURCE_DIR
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

CMAKE, BUILD_DIR, SOURCE_DIR = sys.argv[1:4]


def run(args, **kwargs):
    env = {k: v for k, v in os.environ.items() if k != "RSSFLOW_CONFIG_DIR"}
    env.update(kwargs.pop("env", {}))
    return subprocess.run(args, cwd="/", env=env, capture_output=True, text=True, timeout=120, **kwargs)


class InstalledLayout(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory()
        cls.prefix = os.path.join(cls.scratch.name, "prefix")
        result = run([CMAKE, "--install", BUILD_DIR, "--prefix", cls.prefix])
        assert result.returncode == 0, result.stdout + result.stderr
        cls.binary = os.path.join(cls.prefix, "bin", "rssflow")
        cls.data = os.path.join(cls.prefix, "share", "rssflow")

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def test_layout(self):
        for path in ["bin/rssflow", "share/rssflow/keywords.tsv", "share/rssflow/sources.opml",
                     "share/rssflow/snapshot/sources.opml", "share/rssflow/prometheus/rssflow.rules.yml",
                     "share/rssflow/grafana/rssflow.json", "share/rssflow/deploy/rssflow.crontab",
                     "share/rssflow/deploy/kubernetes-cronjob.yaml", "share/man/man1/rssflow.1.gz",
                     "lib/systemd/system/rssflow.service", "lib/systemd/system/rssflow.timer",
                     "etc/rssflow/sources.opml", "etc/logrotate.d/rssflow", "share/doc/rssflow/README.md"]:
            self.assertTrue(os.path.isfile(os.path.join(self.prefix, path)), path)
        self.assertTrue(os.access(self.binary, os.X_OK))

    def test_unit_starts_the_installed_binary(self):
        with open(os.path.join(self.prefix, "lib/systemd/system/rssflow.service"), encoding="utf-8") as f:
            unit = f.read()
        self.assertIn(f"ExecStart={self.binary} run ", unit)

    def test_man_page_covers_commands_exit_status_files_environment(self):
        with gzip.open(os.path.join(self.prefix, "share/man/man1/rssflow.1.gz"), "rt", encoding="utf-8") as f:
            page = f.read()
        for text in [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES", "RSSFLOW_CONFIG_DIR", "https_proxy",
                     "rssflow run", "rssflow sources", "rssflow migrate", "rssflow parse", self.data]:
            self.assertIn(text, page)
        self.assertNotIn(SOURCE_DIR, page)

    def test_defaults_come_from_the_prefix_not_the_source_tree(self):
        help_text = run([self.binary, "run", "--help"])
        self.assertEqual(help_text.returncode, 0, help_text.stderr)
        self.assertIn(f"--sources TEXT:FILE={self.data}/sources.opml", help_text.stdout)
        self.assertIn(f"--keywords TEXT:FILE={self.data}/keywords.tsv", help_text.stdout)
        self.assertNotIn(SOURCE_DIR, help_text.stdout)
        sources = run([self.binary, "sources"])
        self.assertEqual(sources.returncode, 0, sources.stderr)
        self.assertIn(f"0 invalid ({self.data}/sources.opml)", sources.stderr)

    def test_snapshot_run_uses_the_installed_dictionary(self):
        out = os.path.join(self.scratch.name, "articles.jsonl")
        result = run([self.binary, "run", "--sources", os.path.join(self.data, "snapshot/sources.opml"), "--sink",
                      "jsonl", "--out", out, "--lock-file", os.path.join(self.scratch.name, "lock"), "--quiet"])
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out, encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        self.assertGreater(len(records), 100)
        self.assertGreater(sum(1 for r in records if r["keywords"]), 10)

    def test_config_dir_variable_overrides_the_default(self):
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "sources.opml"), "w", encoding="utf-8") as f:
                f.write('<opml version="2.0"><body><outline xmlUrl="https://example.org/feed"/></body></opml>')
            result = run([self.binary, "sources"], env={"RSSFLOW_CONFIG_DIR": folder})
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.split("\t")[0], "https://example.org/feed")

    def test_a_lone_copy_of_the_binary_names_where_it_looked(self):
        with tempfile.TemporaryDirectory() as folder:
            os.mkdir(os.path.join(folder, "bin"))
            copy = shutil.copy(self.binary, os.path.join(folder, "bin"))
            result = run([copy, "sources"])
            self.assertEqual(result.returncode, 2)
            self.assertIn(os.path.join(folder, "share/rssflow/sources.opml"), result.stderr)
            self.assertNotIn(SOURCE_DIR, result.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
