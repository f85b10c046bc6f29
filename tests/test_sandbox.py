"""The grading sandbox's narrow channel, against a real lab: a notebook's lab actions reach its own lab only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from msalab import channel, runtime
from msalab.channel import SOCKET_NAME, ChannelServer
from msalab.errors import MsalabError
from msalab.lab import Lab
from msalab.remote import RemoteLab
from msalab.sandbox import SandboxLimits, preflight

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def hello(docker_engine: None) -> Iterator[Lab]:
    lab = runtime.up("hello", quiet=True)
    try:
        yield lab
    finally:
        lab.down()


@pytest.fixture
def served(hello: Lab, tmp_path: Path) -> Iterator[str]:
    with ChannelServer(hello, tmp_path / "channel"):
        yield str(tmp_path / "channel" / SOCKET_NAME)


def test_the_remote_handle_acts_on_its_own_lab(hello: Lab, served: str) -> None:
    remote = RemoteLab("hello", served)
    assert remote.session == hello.session
    assert remote.url("front") == "http://front:8000"  # the sandbox sits on the lab's network
    remote.kill("back")
    assert hello.state("back") != "running" and remote.state("back") == hello.state("back")
    assert remote.start("back") > 0 and hello.state("back") == "running"
    assert "hello" in remote.exec("back", ["python3", "-c", "print('hello')"]).output
    remote.put_files("back", {"note.txt": "from the sandbox"}, "/tmp")
    assert b"from the sandbox" in remote.copy_out("back", "/tmp/note.txt")


def test_everything_else_is_refused_with_a_message(served: str) -> None:
    with pytest.raises(MsalabError, match="this notebook's lab is 'hello', not 'queue'"):
        RemoteLab("queue", served)
    with pytest.raises(MsalabError, match="has no service 'worker'"):
        channel.call(served, "kill", service="worker")
    with pytest.raises(MsalabError, match="may not 'containers'"):
        channel.call(served, "containers")
    with pytest.raises(MsalabError, match="could not read that request"):
        channel.call(served, "kill", container="msalab-queue-broker")
    with pytest.raises(MsalabError, match="no Docker engine"):
        RemoteLab("hello", served).container("back")


def test_doctor_can_tell_whether_sandboxed_grading_works(docker_engine: None) -> None:
    assert "no Docker socket" in preflight(SandboxLimits())
