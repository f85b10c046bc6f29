"""The lab runtime against a real Docker engine: start, reach, break, and always clean up."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

import msalab
from conftest import Course, labelled
from msalab import cleanup, engine, labels, ports
from msalab.errors import ImageMissing, MsalabError, NotReady, PortInUse

pytestmark = pytest.mark.docker

SLEEPER = ["python3", "-c", "import time; print('up', flush=True); time.sleep(10**6)"]
TWO_SLEEPERS = f"""
    title = "two sleepers"
    [services.a]
    image = "python-service"
    command = {json.dumps(SLEEPER)}
    ready = {{ log = "^up$", timeout = 30 }}
    [services.b]
    image = "python-service"
    command = {json.dumps(SLEEPER)}
    ready = {{ log = "^up$", timeout = 30 }}
"""


@pytest.fixture(scope="module")
def hello(docker_engine: None):  # type: ignore[no-untyped-def]
    cleanup.remove()
    lab = msalab.up("hello", quiet=True)
    yield lab
    lab.down()
    assert labelled() == (0, 0)


def test_front_calls_back_by_its_network_alias(hello: msalab.Lab) -> None:
    r = httpx.get(f"{hello.url('front')}/hello/ada", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["greeting"] == "Hello, ada!"
    # `back` answered from its own container, reached by name on the lab network.
    assert body["answered_by"] == hello.container("back").attrs["Config"]["Hostname"]


def test_only_declared_ports_are_published_and_only_on_loopback(hello: msalab.Lab) -> None:
    for service in hello.services:
        bindings = hello.container(service).attrs["HostConfig"]["PortBindings"] or {}
        host_ips = {b["HostIp"] for bs in bindings.values() for b in bs}
        if service == "front":
            assert set(bindings) == {"8000/tcp"} and host_ips == {"127.0.0.1"}
        else:
            assert bindings == {}, f"{service} must not be reachable from the host"
    with pytest.raises(MsalabError, match="publishes no port"):
        hello.url("back")


def test_every_container_and_the_network_carry_the_lab_labels(hello: msalab.Lab) -> None:
    flt = labels.filters("hello", hello.session)
    assert len(engine.client().containers.list(filters=flt)) == 3
    assert len(engine.client().networks.list(filters=flt)) == 1


def test_killing_the_callee_breaks_the_caller_until_it_is_back(hello: msalab.Lab) -> None:
    url = f"{hello.url('front')}/hello/bob"
    hello.kill("back")
    assert hello.state("back") == "exited"
    r = httpx.get(url, timeout=10)
    assert r.status_code == 503 and "back is unreachable" in r.json()["detail"]
    hello.start("back")
    assert httpx.get(url, timeout=10).status_code == 200


def test_restart_waits_for_fresh_readiness_and_keeps_the_url(hello: msalab.Lab) -> None:
    before = hello.url("front")
    seconds = hello.restart("front")
    assert seconds > 0
    assert hello.url("front") == before
    assert httpx.get(f"{before}/health", timeout=10).status_code == 200


def test_pause_freezes_a_service(hello: msalab.Lab) -> None:
    hello.pause("front")
    try:
        with pytest.raises(httpx.TimeoutException):
            httpx.get(f"{hello.url('front')}/health", timeout=1.0)
    finally:
        hello.unpause("front")
    assert httpx.get(f"{hello.url('front')}/health", timeout=10).status_code == 200


def test_messages_reach_the_real_broker(hello: msalab.Lab) -> None:
    front = hello.url("front")
    before = httpx.get(f"{front}/events", timeout=10).json()["waiting"]
    assert httpx.post(f"{front}/events/hi", timeout=10).status_code == 202
    assert httpx.get(f"{front}/events", timeout=10).json()["waiting"] == before + 1
    listed = hello.exec("broker", ["rabbitmqctl", "-q", "list_queues", "name", "messages"])
    assert listed.exit_code == 0 and "hello-events" in listed.output


def test_memory_is_measured_per_running_container(hello: msalab.Lab) -> None:
    used = hello.memory_mb()
    assert set(used) == {"back", "front", "broker"}
    # A Python web service needs tens of MiB and RabbitMQ more; a dead container holds none.
    assert all(mib > 5 for mib in used.values()), used
    assert used["broker"] > used["back"], used
    hello.kill("back")
    try:
        assert hello.memory_mb()["back"] == 0
    finally:
        hello.start("back")


def test_status_json_lists_the_lab_with_its_endpoints(hello: msalab.Lab) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "msalab.cli", "status", "--json"], capture_output=True, text=True, check=True
    )
    (entry,) = [e for e in json.loads(out.stdout) if e["session"] == hello.session]
    assert entry["lab"] == "hello" and entry["mode"] == "kernel"
    assert entry["services"]["front"]["endpoints"]["http"]["url"] == hello.url("front")


def test_attach_finds_a_running_lab(hello: msalab.Lab) -> None:
    again = msalab.attach("hello")
    assert again.session == hello.session and again.url("front") == hello.url("front")


# ---- failures: one sentence, nothing left running ---------------------------------------------------------------
def test_a_container_that_never_gets_ready_is_reported_with_its_logs(course: Course, clean_engine: None) -> None:
    course.add_lab(
        "stuck",
        f"""
        [services.ok]
        image = "python-service"
        command = {json.dumps(SLEEPER)}
        ready = {{ log = "^up$" }}
        [services.stuck]
        image = "python-service"
        command = ["python3", "-c", "import time; print('still thinking', flush=True); time.sleep(600)"]
        ready = {{ log = "never printed", timeout = 3 }}
        """,
    )
    with pytest.raises(NotReady) as err:
        msalab.up("stuck", quiet=True)
    assert "was not ready after 3 s" in str(err.value) and "still thinking" in str(err.value)


def test_a_container_that_exits_is_reported_with_its_exit_code(course: Course, clean_engine: None) -> None:
    course.add_lab(
        "crash",
        """
        [services.crash]
        image = "python-service"
        command = ["python3", "-c", "raise SystemExit('config missing')"]
        ready = { log = "never" }
        """,
    )
    with pytest.raises(NotReady, match=r"stopped \(exit code 1\).*\n.*config missing"):
        msalab.up("crash", quiet=True)


def test_dependent_services_wait_for_their_dependencies(course: Course, clean_engine: None) -> None:
    course.add_lab("chain", TWO_SLEEPERS + '    depends_on = ["a"]\n')  # the last table is b
    with msalab.up("chain", quiet=True) as lab:
        started = {s: lab.container(s).attrs["State"]["StartedAt"] for s in ("a", "b")}
        assert started["a"] < started["b"]


def test_replicas_share_one_name_on_the_lab_network(course: Course, clean_engine: None) -> None:
    course.add_lab(
        "pool",
        f"""
        [services.worker]
        image = "python-service"
        replicas = 2
        command = {json.dumps(SLEEPER)}
        ready = {{ log = "^up$" }}
        """,
    )
    with msalab.up("pool", quiet=True) as lab:
        assert lab.services == ["worker-1", "worker-2"]
        lookup = lab.exec(
            "worker-1", ["python3", "-c", "import socket; print(len(socket.gethostbyname_ex('worker')[2]))"]
        )
        assert lookup.output.strip() == "2"


WEB = """
    [services.web]
    image = "python-service"
    command = ["python3", "-m", "http.server", "8000"]
    publish = { http = 8000 }
    ready = { http = "/", port = 8000, timeout = 30 }
"""


def test_a_port_in_use_is_refused_before_anything_starts(course: Course, clean_engine: None) -> None:
    course.add_lab("web", WEB)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(PortInUse, match=f"Port {port} on 127.0.0.1.*already in use"):
            msalab.up("web", ports={"web.http": port}, quiet=True)


def test_a_planned_port_taken_before_the_start_is_moved(
    course: Course, clean_engine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process (a second grading worker) may take a planned port before Docker binds it."""
    course.add_lab("web", WEB)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        real = ports.free_port
        chosen = iter([taken])
        monkeypatch.setattr(ports, "free_port", lambda: next(chosen, None) or real())
        lab = msalab.up("web", quiet=True)
        try:
            url = lab.url("web")
            assert f":{taken}" not in url
            assert httpx.get(url, timeout=10).status_code == 200
        finally:
            lab.down()
    assert labelled() == (0, 0)


def test_a_missing_image_says_how_to_build_it(
    course: Course, clean_engine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    course.add_lab("two", TWO_SLEEPERS)
    monkeypatch.setenv("MSALAB_IMAGE_PYTHON_SERVICE", "msalab/not-built:0")
    with pytest.raises(ImageMissing, match="msalab images build"):
        msalab.up("two", quiet=True)


def test_no_engine_gives_one_sentence_and_exit_code_1() -> None:
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    out = subprocess.run([sys.executable, "-m", "msalab.cli", "up", "hello"], env=env, capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.startswith("msalab: No Docker engine answers at DOCKER_HOST=unix:///nonexistent")
    assert "Traceback" not in out.stderr


def test_unknown_lab_from_the_shell() -> None:
    out = subprocess.run([sys.executable, "-m", "msalab.cli", "up", "nope"], capture_output=True, text=True)
    assert out.returncode == 1 and "There is no lab called 'nope'" in out.stderr


# ---- lifetimes -----------------------------------------------------------------------------------------------------
def _wait_until(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return predicate()


KERNEL = "import msalab, time; msalab.up('two', quiet=True); print('ready', flush=True); time.sleep(600)"


def test_a_killed_kernel_takes_its_lab_with_it(course: Course, clean_engine: None) -> None:
    course.add_lab("two", TWO_SLEEPERS)
    kernel = subprocess.Popen(
        [sys.executable, "-c", KERNEL],
        env=course.env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert kernel.stdout is not None and kernel.stdout.readline().strip() == "ready"
        assert labelled() == (2, 1)
        os.kill(kernel.pid, signal.SIGKILL)  # no atexit, no finally: only the watchdog can clean up
        kernel.wait()
        assert _wait_until(lambda: labelled() == (0, 0), 20), f"left behind: {labelled()}"
    finally:
        if kernel.poll() is None:
            kernel.kill()


def _answer_ctrl_c() -> None:
    # A command started in the background by a non-interactive shell (as CI may start this suite) inherits
    # SIGINT ignored, and Python then keeps ignoring it; a learner's terminal delivers it. Test the learner's case.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_during_start_leaves_nothing(course: Course, clean_engine: None) -> None:
    course.add_lab(
        "slow",
        """
        [services.slow]
        image = "python-service"
        command = ["python3", "-c", "import time; time.sleep(600)"]
        ready = { log = "never", timeout = 60 }
        """,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "msalab.cli", "up", "slow"],
        env=course.env(),
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_answer_ctrl_c,
    )
    assert _wait_until(lambda: labelled()[0] == 1, 30)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)  # a hang guard, not a speed limit: the engine may be busy
    assert proc.returncode == 1 and "was interrupted; nothing of it is left running" in err
    assert labelled() == (0, 0)


def test_a_shell_lab_outlives_its_command_until_down_all(course: Course, clean_engine: None) -> None:
    course.add_lab("two", TWO_SLEEPERS)
    up = subprocess.run(
        [sys.executable, "-m", "msalab.cli", "up", "two"], env=course.env(), capture_output=True, text=True
    )
    assert up.returncode == 0, up.stderr
    time.sleep(1)  # the command's process is gone; nothing may have followed it
    assert labelled() == (2, 1)
    down = subprocess.run(
        [sys.executable, "-m", "msalab.cli", "down", "--all"], env=course.env(), capture_output=True, text=True
    )
    assert down.returncode == 0 and "Removed 2 container(s) and 1 network(s)" in down.stdout
    assert labelled() == (0, 0)


def test_a_namespace_sees_and_removes_only_its_own_labs(
    course: Course, clean_engine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    course.add_lab("two", TWO_SLEEPERS)
    mine = os.environ["MSALAB_NAMESPACE"]
    lab = msalab.up("two", quiet=True)
    try:
        monkeypatch.setenv("MSALAB_NAMESPACE", f"{mine}-someone-else")
        assert cleanup.remove().containers == 0
        with pytest.raises(MsalabError, match="is not running"):
            msalab.attach("two")
        monkeypatch.setenv("MSALAB_NAMESPACE", mine)
        assert msalab.attach("two").session == lab.session
    finally:
        lab.down()


def test_run_options_reach_the_container(course: Course, clean_engine: None) -> None:
    course.add_lab(
        "opts",
        f"""
        [services.a]
        image = "python-service"
        command = {json.dumps(SLEEPER)}
        ready = {{ log = "^up$", timeout = 30 }}
        [services.a.run]
        cap_add = ["NET_ADMIN"]
        cap_drop = ["MKNOD"]
        security_opt = ["no-new-privileges"]
        cgroupns = "private"
        """,
    )
    lab = msalab.up("opts", quiet=True)
    try:
        host = lab.container("a").attrs["HostConfig"]
        assert host["CapAdd"] == ["NET_ADMIN"] and host["CapDrop"] == ["MKNOD"]
        assert host["SecurityOpt"] == ["no-new-privileges"] and host["CgroupnsMode"] == "private"
        assert host["Privileged"] is False
    finally:
        lab.down()
