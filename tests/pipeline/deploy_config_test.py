#!/usr/bin/python3
"""Checks the deployment examples in config/deploy/ (crontab, systemd, Kubernetes).

Run by ctest (tests/pipeline/CMakeLists.txt) with /usr/bin/python3, which has python3-yaml.
The Kubernetes wrapper script is executed for real against a stand-in `rssflow` to check how
it maps exit statuses and forwards SIGTERM.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import yaml

DEPLOY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config", "deploy")


def read(name):
    with open(os.path.join(DEPLOY, name), encoding="utf-8") as f:
        return f.read()


def unit_settings(text):
    """systemd unit -> {section: {key: [values]}}, with backslash continuations joined."""
    sections, section = {}, None
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key.strip(), []).append(" ".join(value.split()))
    return sections


class Crontab(unittest.TestCase):
    def test_one_hourly_job_line_for_user_rssflow(self):
        jobs = []
        for line in read("rssflow.crontab").splitlines():
            if not line.strip() or line.startswith("#") or re.match(r"^[A-Z_]+=", line):
                continue
            jobs.append(line.split(None, 6))
        self.assertEqual(len(jobs), 1)
        minute, hour, day, month, weekday, user, command = jobs[0]
        self.assertTrue(minute.isdigit() and 0 <= int(minute) <= 59)
        self.assertEqual((hour, day, month, weekday), ("*", "*", "*", "*"))
        self.assertEqual(user, "rssflow")
        self.assertTrue(command.startswith("rssflow run "))
        self.assertIn("--sink postgres", command)
        self.assertRegex(command, r"--metrics-file \S+\.prom ")  # node_exporter reads *.prom only
        self.assertIn("--lock-file ", command)
        # cron.d files are world-readable: the URL names a user, never a password.
        self.assertRegex(read("rssflow.crontab"), r"\nDATABASE_URL=postgresql://[^:@/]+@[^\s]+\n")


class Systemd(unittest.TestCase):
    def test_service_runs_once_and_accepts_partial_runs(self):
        service = unit_settings(read("rssflow.service"))["Service"]
        self.assertEqual(service["Type"], ["oneshot"])
        self.assertEqual(service["SuccessExitStatus"], ["1"])
        exec_start = service["ExecStart"][0]
        self.assertTrue(exec_start.startswith("/usr/local/bin/rssflow run "))
        self.assertIn("--lock-file /run/rssflow/run.lock", exec_start)
        self.assertEqual(service["RuntimeDirectory"], ["rssflow"])  # creates /run/rssflow
        metrics = re.search(r"--metrics-file (\S+)", exec_start).group(1)
        self.assertIn(os.path.dirname(metrics), service["ReadWritePaths"][0].split())

    def test_timer_is_hourly_persistent_and_installable(self):
        timer = unit_settings(read("rssflow.timer"))
        self.assertEqual(timer["Timer"]["OnCalendar"], ["hourly"])
        self.assertEqual(timer["Timer"]["Persistent"], ["true"])
        self.assertEqual(timer["Install"]["WantedBy"], ["timers.target"])

    def test_systemd_analyze_verify_finds_nothing(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            print("systemd-analyze not installed: static checks only", file=sys.stderr)
            return
        with tempfile.TemporaryDirectory() as folder:
            # verify insists the executable exists; /bin/true stands in for the installed binary.
            with open(os.path.join(folder, "rssflow.service"), "w", encoding="utf-8") as f:
                f.write(read("rssflow.service").replace("/usr/local/bin/rssflow", "/bin/true"))
            shutil.copy(os.path.join(DEPLOY, "rssflow.timer"), folder)
            result = subprocess.run([analyze, "verify", "rssflow.service", "rssflow.timer"], cwd=folder,
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout + result.stderr, "")  # unknown keys are only warnings


class KubernetesCronJob(unittest.TestCase):
    def setUp(self):
        self.cronjob = yaml.safe_load(read("kubernetes-cronjob.yaml"))
        self.job = self.cronjob["spec"]["jobTemplate"]["spec"]
        self.pod = self.job["template"]["spec"]
        (self.container,) = self.pod["containers"]
        self.env = {e["name"]: e for e in self.container["env"]}

    def test_cronjob_forbids_overlap_and_starts_an_indexed_job(self):
        self.assertEqual(self.cronjob["apiVersion"], "batch/v1")
        self.assertEqual(self.cronjob["kind"], "CronJob")
        self.assertEqual(self.cronjob["spec"]["concurrencyPolicy"], "Forbid")
        self.assertEqual(len(self.cronjob["spec"]["schedule"].split()), 5)
        self.assertEqual(self.job["completionMode"], "Indexed")
        shards = int(self.env["JOB_COMPLETIONS"]["value"])
        self.assertEqual(self.job["completions"], shards)
        self.assertEqual(self.job["parallelism"], shards)
        self.assertEqual(self.pod["restartPolicy"], "Never")  # required by podFailurePolicy

    def test_shard_comes_from_the_completion_index(self):
        script = self.container["args"][0]
        self.assertIn('--shard "$(JOB_COMPLETION_INDEX)/$(JOB_COMPLETIONS)"', script)
        self.assertEqual(self.container["command"], ["/bin/sh", "-c"])

    def test_configuration_error_fails_the_job_at_once(self):
        (rule,) = self.job["podFailurePolicy"]["rules"]
        self.assertEqual(rule["action"], "FailJob")
        self.assertEqual(rule["onExitCodes"]["values"], [2])
        self.assertEqual(rule["onExitCodes"]["containerName"], self.container["name"])

    def test_secrets_mounts_and_read_only_root(self):
        self.assertEqual(self.env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"], "rssflow-database")
        self.assertTrue(self.container["securityContext"]["readOnlyRootFilesystem"])
        mounts = {m["mountPath"]: m["name"] for m in self.container["volumeMounts"]}
        self.assertIn("/tmp", mounts)  # the lock file needs a writable folder
        sources = re.search(r"--sources (\S+)", self.container["args"][0]).group(1)
        self.assertIn(os.path.dirname(sources), mounts)
        volumes = {v["name"] for v in self.pod["volumes"]}
        self.assertEqual(set(mounts.values()), volumes)

    def run_wrapper(self, folder, mode, exit_status=0):
        """Runs the container's script as Kubernetes would, with a stand-in rssflow on PATH."""
        script = self.container["args"][0]
        script = script.replace("$(JOB_COMPLETION_INDEX)", "2").replace("$(JOB_COMPLETIONS)",
                                                                        self.env["JOB_COMPLETIONS"]["value"])
        fake = os.path.join(folder, "rssflow")
        with open(fake, "w", encoding="utf-8") as f:
            f.write('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n'
                    'if [ "$FAKE_MODE" = hang ]; then echo $$ > "$READY"; exec sleep 1000; fi\n'
                    'exit "$FAKE_EXIT"\n')
        os.chmod(fake, 0o755)
        env = dict(os.environ, PATH=folder + ":" + os.environ["PATH"], ARGS_FILE=os.path.join(folder, "args"),
                   FAKE_MODE=mode, FAKE_EXIT=str(exit_status), READY=os.path.join(folder, "ready"))
        return subprocess.Popen(["/bin/sh", "-c", script], env=env)

    def test_wrapper_passes_the_shard_and_turns_partial_into_success(self):
        expected = {0: 0, 1: 0, 2: 2, 3: 3, 4: 4}
        for rssflow_status, pod_status in expected.items():
            with tempfile.TemporaryDirectory() as folder:
                wrapper = self.run_wrapper(folder, "exit", rssflow_status)
                self.assertEqual(wrapper.wait(timeout=60), pod_status, f"rssflow exit {rssflow_status}")
                with open(os.path.join(folder, "args"), encoding="utf-8") as f:
                    args = f.read().split("\n")
                self.assertEqual(args[:3], ["run", "--shard", "2/4"])

    def test_wrapper_forwards_sigterm_to_rssflow(self):
        with tempfile.TemporaryDirectory() as folder:
            ready = os.path.join(folder, "ready")
            os.mkfifo(ready)
            wrapper = self.run_wrapper(folder, "hang")
            with open(ready, encoding="utf-8") as f:  # blocks until the stand-in runs
                child = int(f.read())
            wrapper.send_signal(signal.SIGTERM)
            # The shell survives the signal, passes it on and exits with rssflow's status
            # (143 = killed by SIGTERM) instead of dying and orphaning rssflow.
            self.assertEqual(wrapper.wait(timeout=60), 128 + signal.SIGTERM)
            with self.assertRaises(ProcessLookupError):
                os.kill(child, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
