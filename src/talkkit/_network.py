"""
How a client's transport reaches its server: which proxy, if any, and which CAs it trusts.

httpx's `~httpx.AsyncClient` picks a proxy per request; a talkkit client talks to one base
URL, so the same decision is taken once, at construction, and handed to whichever transport
sends (httpx's or aiohttp's). The rules are httpx's (``trust_env=True``):

- an explicit ``proxy=`` wins, for every request (the environment is not read);
- otherwise ``HTTPS_PROXY`` / ``HTTP_PROXY`` for the URL's scheme, else ``ALL_PROXY`` (either
  case, the lower-case one first, as `urllib.request.getproxies` reads them), unless
  ``NO_PROXY`` names the host: ``*`` (everything), a domain (``example.com`` covers it and
  its subdomains, ``.example.com`` only the subdomains), an IP address or ``localhost``
  (exactly), each optionally with a ``:port``, or a ``scheme://host`` form;
- a value without a scheme is an ``http://`` proxy; ``https://`` goes to the proxy over TLS;
  ``socks5://`` needs httpx's ``socks`` extra and is sent by httpx's transport.

HTTPS through a proxy uses ``CONNECT``. Credentials in a proxy URL (``http://user:pass@host``)
become a ``Proxy-Authorization`` header sent to the proxy only; no repr or error message
here shows them. The CA bundle is httpx's (certifi), or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``
while the environment is trusted; both transports use the same `ssl.SSLContext`.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import os
import ssl
from urllib.request import getproxies

import attrs
import httpx

from talkkit.errors import ConfigurationError

__all__ = ["Network", "ProxyTypes", "masked_url", "resolve_proxy"]

ProxyTypes = str | httpx.URL | httpx.Proxy
"""What ``proxy=`` accepts: a URL (credentials may be in it) or an `httpx.Proxy`."""

_SCHEMES = ("http", "https", "socks5", "socks5h")
_MASK = "********"


def masked_url(url: httpx.URL | str) -> str:
    """``url`` with everything before its host's ``@`` (user and password) as ``********``."""
    text = str(url)
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    if "@" not in rest:  # (a password may hold "/", "?" or "#": mask up to the last "@")
        return text
    return f"{scheme}{sep}{_MASK}@{rest.rpartition('@')[2]}"


def resolve_proxy(
    url: str | None, proxy: ProxyTypes | None, *, trust_env: bool
) -> httpx.Proxy | None:
    """
    The proxy for requests to ``url`` (see the module docstring), or ``None`` to go direct.

    Raises:
        ConfigurationError: ``proxy`` (or the environment variable that was chosen) is not an
            ``http``, ``https`` or ``socks5`` URL.
    """
    if proxy is not None:
        return _as_proxy(proxy, "proxy")
    if not trust_env or url is None:
        return None
    target = httpx.URL(url)
    found = getproxies()
    if _bypassed(target, found.get("no", "")):
        return None
    key = target.scheme if found.get(target.scheme) else "all"
    value = found.get(key)
    if not value:
        return None
    return _as_proxy(value if "://" in value else "http://" + value, f"{key.upper()}_PROXY")


def _as_proxy(value: ProxyTypes, field: str) -> httpx.Proxy:
    if isinstance(value, httpx.Proxy):
        return value
    try:
        parsed = httpx.URL(value)
        if parsed.scheme in _SCHEMES and parsed.host:
            return httpx.Proxy(parsed)
    except (httpx.InvalidURL, ValueError, TypeError):
        pass
    # Neither the value nor httpx's message (which may quote part of it) is shown whole.
    shown = masked_url(value) if isinstance(value, str | httpx.URL) else type(value).__name__
    raise ConfigurationError(
        field, f"expected an http://, https:// or socks5:// proxy URL (got {shown!r})"
    )


def _bypassed(url: httpx.URL, no_proxy: str) -> bool:
    """Does ``NO_PROXY`` (comma-separated) name ``url``'s host? httpx's rules (see above)."""
    for entry in (part.strip() for part in no_proxy.split(",")):
        if entry == "*":
            return True
        if entry and _matches(_pattern(entry), url):
            return True
    return False


def _pattern(entry: str) -> str:
    """The URL pattern httpx derives from one ``NO_PROXY`` entry."""
    if "://" in entry:
        return entry
    address = entry.split("/")[0]
    if entry.lower() == "localhost" or _is_ip(address, ipaddress.IPv4Address):
        return f"all://{entry}"
    if _is_ip(address, ipaddress.IPv6Address):
        return f"all://[{entry}]"
    return f"all://*{entry}"


def _is_ip(text: str, kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        kind(text)
    except ValueError:
        return False
    return True


def _matches(pattern: str, url: httpx.URL) -> bool:
    try:
        wanted = httpx.URL(pattern)
    except (httpx.InvalidURL, ValueError):  # httpx would refuse it: it matches nothing
        return False
    if wanted.scheme != "all" and wanted.scheme != url.scheme:
        return False
    if wanted.port is not None and wanted.port != url.port:
        return False
    host, other = wanted.host, url.host
    if not host or host == "*":
        return True
    if host.startswith("*."):
        return other.endswith(host[1:]) and len(other) > len(host) - 1
    if host.startswith("*"):
        return other == host[1:] or other.endswith("." + host[1:])
    return other == host


@functools.lru_cache(maxsize=8)
def _ssl_context(trust_env: bool, cafile: str | None, capath: str | None) -> ssl.SSLContext:
    del cafile, capath  # the cache key: httpx reads the same variables itself
    return httpx.create_ssl_context(verify=True, trust_env=trust_env)


@attrs.frozen(repr=False)
class Network:
    """
    The proxy (``None``: direct) and trust settings one client's transports share.

    Attributes:
        proxy: Where requests go first (see `resolve_proxy`).
        trust_env: Whether ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` choose the CA bundle.
    """

    proxy: httpx.Proxy | None = None
    trust_env: bool = True

    @property
    def socks(self) -> bool:
        """Is the proxy a SOCKS one (which only httpx's transport speaks)?"""
        return self.proxy is not None and self.proxy.url.scheme.startswith("socks")

    def ssl_context(self) -> ssl.SSLContext:
        """
        The CA trust httpx would use.

        One context per setting, shared by every client of the process (building one takes
        tens of milliseconds): a CA file changed on disk is read again by a new process.
        """
        if not self.trust_env:
            return _ssl_context(False, None, None)
        return _ssl_context(True, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))

    def httpx_transport(self, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
        """httpx's transport with these settings (no retries: talkkit's retry layer decides)."""
        try:
            return httpx.AsyncHTTPTransport(
                verify=self.ssl_context(),
                limits=limits,
                proxy=self.proxy,
                retries=0,
                trust_env=self.trust_env,
            )
        except ImportError:  # a SOCKS proxy without socksio
            raise ConfigurationError(
                "proxy", "a SOCKS proxy needs the socksio package: pip install 'httpx[socks]'"
            ) from None

    def proxy_headers(self) -> list[tuple[str, str]]:
        """
        What the proxy is told: ``Proxy-Authorization`` from its credentials, then its headers.

        Built as httpx builds them (Basic, UTF-8), for transports that take them as headers.
        """
        proxy = self.proxy
        if proxy is None:
            return []
        headers: list[tuple[str, str]] = []
        if proxy.auth is not None:
            token = base64.b64encode(":".join(proxy.auth).encode()).decode("ascii")
            headers.append(("Proxy-Authorization", "Basic " + token))
        headers.extend(proxy.headers.multi_items())
        return headers

    def __repr__(self) -> str:
        proxy = None if self.proxy is None else masked_url(self.proxy.url)
        shown = f"{proxy!r} (with credentials)" if self.proxy and self.proxy.auth else repr(proxy)
        return f"Network(proxy={shown}, trust_env={self.trust_env})"
