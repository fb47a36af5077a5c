"""The API keys `make run` and docker-compose give the API are the development keys
the API itself defaults to (`api.auth.DEV_API_KEYS`), which the banner prints."""

import re
from pathlib import Path

import yaml

from api.auth import DEV_API_KEYS, DEV_OPS_KEY, DEV_PORTAL_KEY, DEV_SUPPORT_KEY, parse_api_keys
from sandbox.stack import DEMO_API_KEYS, StackPorts, _banner, services

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_make_run_gives_the_api_the_development_keys() -> None:
    (api,) = [s for s in services(StackPorts(), Path("/tmp/x")) if s.name == "api"]

    assert api.env["ORDERMESH_API_KEYS"] == DEMO_API_KEYS == DEV_API_KEYS
    assert len(parse_api_keys(api.env["ORDERMESH_API_KEYS"])) == 3


def test_compose_defaults_to_the_development_keys_and_takes_others() -> None:
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    value = compose["services"]["api"]["environment"]["ORDERMESH_API_KEYS"]

    match = re.fullmatch(r"\$\{API_KEYS:-(.*)\}", value)
    assert match, value
    assert match.group(1) == DEV_API_KEYS


def test_the_banner_prints_a_key_for_each_role() -> None:
    banner = _banner(StackPorts())

    for role, key in (
        ("portal", DEV_PORTAL_KEY),
        ("support", DEV_SUPPORT_KEY),
        ("ops", DEV_OPS_KEY),
    ):
        assert re.search(rf"^  {role}\s+{key}\s", banner, re.MULTILINE), role
    assert f"Authorization: Bearer {DEV_PORTAL_KEY}" in banner  # in the curl example
