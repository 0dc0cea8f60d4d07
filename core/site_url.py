"""The site's one public address, `settings.SITE_URL`, and Wagtail's default site that follows it.

Links read outside a page (canonical and hreflang links, feeds, the sitemap, e-mails, calendar
files) must not depend on the host name a request happened to arrive with: behind a load
balancer that is an internal name, and a task sending e-mail has no request at all. Wagtail
builds a page's full URL from its `Site` record, so after every `migrate` the default site is
given SITE_URL's host and port; `absolute_url` serves everything that is not a page.
"""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.encoding import iri_to_uri

logger = logging.getLogger(__name__)

# Wagtail's Site.root_url only knows http on any port but 443, and https on 443.
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class SiteAddress:
    scheme: str
    hostname: str
    port: int

    @property
    def root_url(self) -> str:
        default = DEFAULT_PORTS[self.scheme]
        return f"{self.scheme}://{self.hostname}" + (
            "" if self.port == default else f":{self.port}"
        )


def parse_site_url(url: str) -> SiteAddress:
    """SITE_URL as scheme, host and port; ValueError with what to write instead."""
    example = "Write it as https://leerplein.nl or http://127.0.0.1:8000."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"SITE_URL {url!r} is not an address: {exc}. {example}") from exc
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"SITE_URL {url!r} needs http:// or https:// and a host name. {example}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(
            f"SITE_URL {url!r} may only hold a scheme, host and port: Leerplein is served "
            f"from the root of its host. {example}"
        )
    port = port or DEFAULT_PORTS[parts.scheme]
    if (parts.scheme == "https") != (port == 443):
        raise ValueError(
            f"SITE_URL {url!r}: Wagtail links to https only on port 443 and to http on any "
            f"other port. {example}"
        )
    return SiteAddress(parts.scheme, parts.hostname, port)


def site_address() -> SiteAddress:
    return parse_site_url(settings.SITE_URL)


def absolute_url(path: str) -> str:
    """`path` (e.g. /nl/portaal/) on the public site, as e-mails and feeds need it."""
    if path.startswith(("http://", "https://")):
        return path
    return site_address().root_url + iri_to_uri(path if path.startswith("/") else f"/{path}")


def sync_default_site(using="default", **kwargs):
    """Give Wagtail's default site SITE_URL's host and port (a post_migrate receiver).

    Runs after every `migrate`, so a deployment that changes SITE_URL needs no manual step
    in the admin; a database without a default site yet (before Wagtail's migrations) is left
    alone.
    """
    from wagtail.models import Site

    address = site_address()
    site = Site.objects.using(using).filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (address.hostname, address.port):
        return site
    taken = Site.objects.using(using).filter(hostname=address.hostname, port=address.port)
    if taken.exists():
        # Another site already answers there; which one is meant is the operator's choice.
        logger.warning(
            "SITE_URL %s belongs to another Wagtail site; left as it is.", address.root_url
        )
        return site
    site.hostname, site.port = address.hostname, address.port
    site.save(update_fields=["hostname", "port"])
    return site
