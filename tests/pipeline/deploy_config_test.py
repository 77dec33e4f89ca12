#!/usr/bin/python3
"""Checks the deployment examples in config/deploy/ (crontab, logrotate, systemd, Kubernetes).

Run by ctest (tests/pipeline/CMakeLists.txt) with /usr/bin/python3, which has python3-yaml.
The Kubernetes wrapper script is executed for real against a stand-in `rssflow` to check how
it maps exit statuses and forwards SIGTERM.
"""
import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DEPLOY = os.path.join(ROOT, "config", "deploy")
DEFAULT_STOP_GRACE_S = 5  # rssflow run --stop-grace default: SIGTERM to stopped fetching
SHUTDOWN_SLACK_S = 20  # after the stop grace: the final commit, the metrics file or push


def read(name):
    with open(os.path.join(DEPLOY, name), encoding="utf-8") as f:
        return f.read()


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(rssflow VERSION (\S+)", f.read()).group(1)


def stop_grace_s(command):
    match = re.search(r"--stop-grace[ =](\d+)", command)
    return int(match.group(1)) if match else DEFAULT_STOP_GRACE_S


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

    def test_log_file_is_rotated_as_user_rssflow(self):
        job = [line for line in read("rssflow.crontab").splitlines() if line.startswith("17 ")][0]
        log = re.search(r">>\s*(\S+)", job).group(1)
        rotate = read("rssflow.logrotate")
        pattern = re.search(r"^(/\S+) \{", rotate, re.M).group(1)
        self.assertEqual(os.path.dirname(pattern), os.path.dirname(log))
        self.assertTrue(log.endswith(os.path.basename(pattern).lstrip("*")))
        self.assertRegex(rotate, r"\n\s*su rssflow rssflow\n")
        self.assertRegex(rotate, r"\n\s*create 0640 rssflow rssflow\n")

    def test_logrotate_accepts_the_rule(self):
        # The package creates user rssflow (scripts/package_test.sh checks the installed rule);
        # here the test's own user stands in, so only the syntax is checked.
        user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
        rule = read("rssflow.logrotate").replace("rssflow rssflow", f"{user} {group}")
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "rssflow"), "w", encoding="utf-8") as f:
                f.write(rule)
            # --debug parses and plans without rotating anything.
            result = subprocess.run(["logrotate", "--debug", "--state", os.path.join(folder, "state"),
                                     os.path.join(folder, "rssflow")], capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertNotIn("error", result.stderr.lower())


class Systemd(unittest.TestCase):
    def test_service_runs_once_and_accepts_partial_runs(self):
        service = unit_settings(read("rssflow.service"))["Service"]
        self.assertEqual(service["Type"], ["oneshot"])
        self.assertEqual(service["SuccessExitStatus"], ["1"])
        exec_start = service["ExecStart"][0]
        self.assertTrue(exec_start.startswith("/usr/bin/rssflow run "))  # the package's binary
        self.assertIn("--lock-file /run/rssflow/run.lock", exec_start)
        self.assertEqual(service["RuntimeDirectory"], ["rssflow"])  # creates /run/rssflow
        metrics = re.search(r"--metrics-file (\S+)", exec_start).group(1)
        writable = [path.lstrip("-") for path in service["ReadWritePaths"][0].split()]
        self.assertIn(os.path.dirname(metrics), writable)

    def test_systemd_stops_rssflow_after_its_stop_grace(self):
        service = unit_settings(read("rssflow.service"))["Service"]
        timeout = re.fullmatch(r"(\d+)s", service["TimeoutStopSec"][0])
        self.assertIsNotNone(timeout)
        self.assertGreaterEqual(int(timeout.group(1)), stop_grace_s(service["ExecStart"][0]) + SHUTDOWN_SLACK_S)

    def test_timer_is_hourly_persistent_and_installable(self):
        timer = unit_settings(read("rssflow.timer"))
        self.assertEqual(timer["Timer"]["OnCalendar"], ["hourly"])
        self.assertEqual(timer["Timer"]["Persistent"], ["true"])
        self.assertEqual(timer["Install"]["WantedBy"], ["timers.target"])

    def units_in(self, folder):
        # verify insists the executable exists; /bin/true stands in for the installed binary
        # (scripts/package_test.sh verifies the units the package really installs).
        with open(os.path.join(folder, "rssflow.service"), "w", encoding="utf-8") as f:
            f.write(read("rssflow.service").replace("/usr/bin/rssflow", "/bin/true"))
        shutil.copy(os.path.join(DEPLOY, "rssflow.timer"), folder)

    def test_systemd_analyze_verify_finds_nothing(self):
        with tempfile.TemporaryDirectory() as folder:
            self.units_in(folder)
            result = subprocess.run(["systemd-analyze", "verify", "rssflow.service", "rssflow.timer"], cwd=folder,
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout + result.stderr, "")  # unknown keys are only warnings

    def test_service_is_hardened_to_exposure_2_5_or_less(self):
        with tempfile.TemporaryDirectory() as folder:
            self.units_in(folder)
            result = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=25",
                                     "rssflow.service"], cwd=folder, capture_output=True, text=True, timeout=60)
            exposure = re.search(r"Overall exposure level for rssflow.service: (\d+\.\d)", result.stdout)
            self.assertIsNotNone(exposure, result.stdout + result.stderr)
            self.assertLessEqual(float(exposure.group(1)), 2.5, result.stdout)
            self.assertEqual(result.returncode, 0, result.stderr)  # --threshold=25: exit 1 above 2.5


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

    def test_configuration_error_and_held_lock_fail_the_job_at_once(self):
        fail = [rule for rule in self.job["podFailurePolicy"]["rules"] if rule["action"] == "FailJob"]
        self.assertEqual(len(fail), 1)
        self.assertEqual(fail[0]["onExitCodes"]["operator"], "In")
        self.assertEqual(sorted(fail[0]["onExitCodes"]["values"]), [2, 4])
        self.assertEqual(fail[0]["onExitCodes"]["containerName"], self.container["name"])

    def test_pod_gets_the_stop_grace_and_slack_before_sigkill(self):
        grace = self.pod["terminationGracePeriodSeconds"]
        self.assertGreaterEqual(grace, stop_grace_s(self.container["args"][0]) + SHUTDOWN_SLACK_S)
        # ... and the Job's deadline still ends a hung run before the next hourly schedule.
        self.assertLess(self.job["activeDeadlineSeconds"] + grace, 3600)

    def test_image_is_the_one_the_dockerfile_builds(self):
        image = f"ghcr.io/rssflow/rssflow:{project_version()}"
        self.assertEqual(self.container["image"], image)
        with open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8") as f:
            dockerfile = f.read()
        self.assertIn(f"docker build -t {image} .", dockerfile)
        self.assertRegex(dockerfile, r"\nUSER 65532:65532\n")
        self.assertEqual(self.pod["securityContext"]["runAsUser"], 65532)

    def test_no_password_on_a_command_line(self):
        text = read("kubernetes-cronjob.yaml") + read("kubernetes-migrate-job.yaml")
        self.assertNotIn("--from-literal", text)
        self.assertNotIn("--env=DATABASE_URL", text)
        self.assertIn("--from-file=url=", text)

    def test_secrets_mounts_and_read_only_root(self):
        self.assertEqual(self.env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"], "rssflow-database")
        self.assertTrue(self.container["securityContext"]["readOnlyRootFilesystem"])
        mounts = {m["mountPath"]: m["name"] for m in self.container["volumeMounts"]}
        self.assertIn("/tmp", mounts)  # the lock file needs a writable folder
        sources = re.search(r"--sources (\S+)", self.container["args"][0]).group(1)
        self.assertIn(os.path.dirname(sources), mounts)
        volumes = {v["name"] for v in self.pod["volumes"]}
        self.assertEqual(set(mounts.values()), volumes)

    def test_migrate_job_reads_the_database_url_from_the_secret(self):
        job = yaml.safe_load(read("kubernetes-migrate-job.yaml"))
        pod = job["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        self.assertEqual(job["kind"], "Job")
        self.assertEqual(container["args"], ["migrate"])
        self.assertEqual(container["image"], self.container["image"])
        (env,) = container["env"]
        self.assertEqual(env["name"], "DATABASE_URL")
        self.assertEqual(env["valueFrom"]["secretKeyRef"], self.env["DATABASE_URL"]["valueFrom"]["secretKeyRef"])
        self.assertEqual(pod["restartPolicy"], "Never")
        (rule,) = job["spec"]["podFailurePolicy"]["rules"]
        self.assertEqual((rule["action"], rule["onExitCodes"]["values"]), ("FailJob", [2]))

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
