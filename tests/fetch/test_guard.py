"""scraper.fetch.guard: which hosts a request may reach, for the requests this process does not
connect for itself (through a proxy, by a browser). The connections it makes are tested through
the fetcher (tests/fetch/test_options.py)."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from scraper.fetch.guard import AddressPolicy, address_kind, target_refusal


@pytest.mark.parametrize("url", ["https://127.0.0.2/x", "HTTPS://127.0.0.2/x", "https://127.0.0.2:443/x"])
def test_a_url_without_a_port_is_on_its_schemes_default_port(url: str) -> None:
    """The port a URL implies is the one rule of urls.default_port, whatever the scheme's case: an
    https URL is the allowed `host:443`, so it is not resolved and refused as a private address."""
    policy = AddressPolicy(allow=["127.0.0.2:443"])
    assert asyncio.run(target_refusal(policy, url, 1.0)) is None


def test_a_private_address_the_policy_does_not_name_is_refused() -> None:
    """The same host on a port the policy does not name is a private address, refused."""
    policy = AddressPolicy(allow=["127.0.0.2:443"])
    refusal = asyncio.run(target_refusal(policy, "http://127.0.0.2/x", 1.0))
    assert refusal is not None and "127.0.0.2" in refusal


@pytest.mark.parametrize(
    ("address", "said"),
    [("0.0.0.0", "0.0.0.0 is an unspecified address"), ("10.0.0.1", "10.0.0.1 is a private address")],
)
def test_a_refusal_names_the_kind_of_address_in_english(address: str, said: str) -> None:
    refusal = AddressPolicy().refusal(address, 80, ipaddress.ip_address(address))
    assert refusal is not None and said in refusal


@pytest.mark.parametrize("address", ["fec0::1", "feff:ffff::1", "fec0::a00:1"])
def test_an_ipv6_site_local_address_is_no_public_one(address: str) -> None:
    """fec0::/10 (site-local, deprecated by RFC 3879 but routed where networks kept it) is
    "global" to the ipaddress module: a page redirecting to http://[fec0::1]/ was followed."""
    assert address_kind(ipaddress.ip_address(address)) == "site-local"
    assert address_kind(ipaddress.ip_address("2001:4860:4860::8888")) is None
