"""Transports: how a MeMo message leaves brevgen. Chosen in the profile (`delivery.transport`).

- `OutboxTransport` (the default): each message is one file `{message UUID}.xml` in the outbox
  folder, written atomically (temporary file, fsync, rename), for an integration platform to
  pick up. Writing the same message again finds the same file name with the same bytes and does
  nothing, so a resumed send never makes a second file.
- `SF1601Transport`: the service platform's KombiPostAfsend through python-serviceplatformen's
  access and MeMo serialisation, with the municipality's certificate. Every call carries the same message UUID for the same
  letter, so a call repeated after a crash or time-out is recognised by the platform.

A transport raises `TransportError` with a reason free of personal data; `retryable` says
whether trying again may help (a time-out, a 5xx) or not (the platform refused the message).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BrevgenError
from ..output import write_atomic


CPR_LIKE = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")


class TransportError(Exception):
    def __init__(self, reason: str, retryable: bool):
        super().__init__(reason)
        self.reason, self.retryable = reason, retryable


class OutboxTransport:
    name = "outbox"

    def __init__(self, folder: Path):
        self.folder = folder

    def recover(self) -> None:
        """A send killed inside a write leaves `.{uuid}.xml.*.part` (a dot file, which a reader of the
        outbox ignores); the message itself is delivered again by the resumed send."""
        if self.folder.is_dir():
            for leftover in self.folder.glob(".*.part"):
                leftover.unlink(missing_ok=True)

    def deliver(self, message_uuid: str, message, xml: bytes) -> str:
        path = self.folder / f"{message_uuid}.xml"
        if path.exists():
            if path.read_bytes() == xml:
                return path.name  # delivered before a crash: the same message, not a second one
            raise TransportError(f"the outbox already holds a different message {path.name}", retryable=False)
        try:
            write_atomic(path, xml)
        except OSError as exc:
            raise TransportError(f"cannot write to the outbox ({exc.strerror or type(exc).__name__})", retryable=True) from None
        return path.name


# --- SF1601 ------------------------------------------------------------------------------------

PRODUCTION = {"service": "https://prod.serviceplatformen.dk/",
              "sts": "https://n2adgangsstyring.stoettesystemerne.dk/runtime/api/rest/wstrust/v1/issue",
              "token": "https://prod.serviceplatformen.dk/service/AccessTokenService_1/token"}
TEST = {"service": "https://exttest.serviceplatformen.dk/",
        "sts": "https://n2adgangsstyring.eksterntest-stoettesystemerne.dk/runtime/api/rest/wstrust/v1/issue",
        "token": "https://exttest.serviceplatformen.dk/service/AccessTokenService_1/token"}


def platform_access(settings):
    """python-serviceplatformen's KombitAccess for the profile's CVR and certificate.

    The library fixes the platform's addresses; `PlatformAccess` takes them from the settings
    (defaults: the library's production or test addresses), so a proxy or the tests' local test
    double can stand in. The token exchange is the library's own flow (SAML token from the
    security token service, then an access token), with those addresses."""
    from .settings import sender_cvr

    if settings.sf1601 is None:
        raise BrevgenError("content/profile.yaml: delivery.sf1601: the certificate and environment are needed for SF1601")
    sf = settings.sf1601
    certificate = Path(sf.certificate)
    if not certificate.is_file():
        raise BrevgenError(f"delivery.sf1601.certificate: {certificate}: file not found (PEM with the certificate and key)")
    return _access_class()(sender_cvr(), str(certificate), sf)


def _access_class():
    import requests
    from python_serviceplatformen import authentication as auth

    class PlatformAccess(auth.KombitAccess):
        def __init__(self, cvr: str, cert_path: str, sf):
            super().__init__(cvr, cert_path, test=sf.environment == "test")
            urls = TEST if sf.environment == "test" else PRODUCTION
            self.environment = sf.service_url or urls["service"]
            self.sts_url, self.token_url, self.timeout = sf.sts_url or urls["sts"], sf.token_url or urls["token"], sf.timeout_seconds

        def get_saml_token(self, entity_id: str) -> str:
            cached = self._saml_tokens.get(entity_id)
            if cached and dt.datetime.now() < cached.expiry_time:
                return cached.value
            payload = {
                "TokenType": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
                "RequestType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
                "KeyType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey",
                "AnvenderKontekst": {"Cvr": self.cvr},
                "UseKey": auth._extract_first_certificate(self.cert_path),
                "AppliesTo": {"EndpointReference": {"Address": entity_id}},
                "OnBehalfOf": None,
            }
            response = requests.post(self.sts_url, json=payload, cert=self.cert_path, timeout=self.timeout)
            response.raise_for_status()
            answer = response.json()
            expiry = dt.datetime.strptime(answer["Lifetime"], "%m/%d/%Y %H:%M:%S") - dt.timedelta(minutes=5)
            self._saml_tokens[entity_id] = auth.Token(answer["RequestedSecurityToken"]["Assertion"], expiry)
            return self._saml_tokens[entity_id].value

        def get_access_token(self, entity_id: str) -> str:
            cached = self._access_tokens.get(entity_id)
            if cached and dt.datetime.now() < cached.expiry_time:
                return cached.value
            saml = self.get_saml_token(entity_id)
            response = requests.post(self.token_url, data={"saml-token": saml}, cert=self.cert_path, timeout=self.timeout)
            response.raise_for_status()
            answer = response.json()
            expiry = dt.datetime.now() + dt.timedelta(seconds=answer["expires_in"]) - dt.timedelta(minutes=5)
            self._access_tokens[entity_id] = auth.Token(f"{answer['token_type']} {answer['access_token']}", expiry)
            return self._access_tokens[entity_id].value

    return PlatformAccess


@dataclass
class SF1601Transport:
    """KombiPostAfsend ("Digital Post"): the library's KombitAccess (certificate, tokens) and its
    MeMo serialisation, posted as UTF-8 bytes with the configured time-out.

    Why not the library's `digital_post.send_message` itself: it passes the XML to requests as a
    `str`, which http.client encodes as Latin-1 while the XML declares UTF-8, so "Afgørelse" arrives
    as invalid UTF-8 and a character outside Latin-1 (an en dash, €) stops the call; and its
    time-out is fixed at 10 s. The request is otherwise the library's: the same address, headers
    and `kombi_request` envelope (python-serviceplatformen 3.2, digital_post.py)."""

    access: object
    timeout: float = 10.0
    name: str = "sf1601"

    def deliver(self, message_uuid: str, message, xml: bytes) -> str:
        import requests

        try:
            return post_memo(self.access, message, self.timeout)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if status == 409:  # the platform already has this message UUID: it was delivered before
                return f"duplicate:{message_uuid}"
            raise TransportError(f"SF1601 answered HTTP {status}{_platform_reason(exc.response)}",
                                 retryable=status >= 500 or status in (408, 429)) from None
        except requests.Timeout:
            raise TransportError("SF1601 did not answer in time", retryable=True) from None
        except requests.ConnectionError:
            raise TransportError("SF1601 could not be reached", retryable=True) from None
        except ValueError as exc:  # the library's wording when no token could be obtained
            raise TransportError(f"SF1601 refused the certificate or token ({str(exc).split(':')[0]})", retryable=True) from None


def post_memo(access, message, timeout: float) -> str:
    import urllib.parse
    import uuid
    from xml.etree import ElementTree

    import requests
    from python_serviceplatformen.date_helper import format_datetime
    from python_serviceplatformen.models.xml_util import dataclass_to_xml

    url = urllib.parse.urljoin(access.environment, "service/KombiPostAfsend_1/memos")
    transaction = str(uuid.uuid4())
    headers = {
        "X-TransaktionsId": transaction,
        "X-TransaktionsTid": format_datetime(dt.datetime.now()),
        "authorization": access.get_access_token("http://entityid.kombit.dk/service/kombipostafsend/1"),
        "Content-Type": "application/xml; charset=utf-8",
    }
    envelope = ElementTree.Element("kombi_request")
    ElementTree.SubElement(envelope, "KombiValgKode").text = "Digital Post"
    envelope.append(dataclass_to_xml(message))
    body = ElementTree.tostring(envelope, encoding="utf-8", xml_declaration=True)
    response = requests.post(url, headers=headers, data=body, cert=access.cert_path, timeout=timeout)
    response.raise_for_status()
    return transaction


def _platform_reason(response) -> str:
    """The platform's own error code or text, short; it describes the message, not the person."""
    if response is None:
        return ""
    text = CPR_LIKE.sub("[cpr]", " ".join(response.text.split()))[:200]  # an echoed CPR number never reaches the ledger
    return f": {text}" if text else ""


def make_transport(settings, outbox: Path | None = None):
    if settings.transport == "sf1601":
        return SF1601Transport(platform_access(settings), settings.sf1601.timeout_seconds)
    return OutboxTransport(outbox or Path(settings.outbox))
