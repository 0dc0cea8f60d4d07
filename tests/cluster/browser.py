"""A small HTTP client that behaves like a browser behind the TLS terminator: it keeps cookies
(also Secure ones, over plain HTTP on loopback), fills in forms as the page gives them, and
says it came over HTTPS (X-Forwarded-Proto), as the terminator in front of a real site does.
"""

import http.client
import json
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self):
        return json.loads(self.body)


class FormParser(HTMLParser):
    """The fields of every <form> of a page, with the values a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": []})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields.append([name, attrs.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": False}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                fields.append([self._select["name"], value])
                self._select["chosen"] = True

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if not self._select["chosen"] and self._select["first"] is not None and self.forms:
                self.forms[-1]["fields"].append([self._select["name"], self._select["first"]])
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


class Browser:
    def __init__(self, base: str, *, host: str | None = None, timeout: float = 30):
        parts = urlsplit(base)
        self.base = base.rstrip("/")
        self.address = (parts.hostname, parts.port or 80)
        self.host = host or parts.netloc
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body=None, headers=None) -> Response:
        sent = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "User-Agent": "leerplein-cluster-test",
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        sent.update(headers or {})
        conn = http.client.HTTPConnection(*self.address, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=sent)
            answer = conn.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            pair = header.split(";", 1)[0]
            key, _, value = pair.partition("=")
            if "max-age=0" in header.lower() or not value.strip('"'):
                self.cookies.pop(key.strip(), None)
            else:
                self.cookies[key.strip()] = value
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields, *, referer: str | None = None) -> Response:
        body = urlencode(
            [tuple(pair) for pair in (fields.items() if isinstance(fields, dict) else fields)]
        )
        return self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                # Django checks the referer of a request that came over HTTPS.
                "Referer": "https://" + self.host + (referer or path),
            },
        )

    def submit(self, path: str, changes: dict, *, form_index=None, extra=()) -> Response:
        """Open `path`, fill in its form (the one with a CSRF token, or `form_index`), change
        `changes`, add `extra` (e.g. the button pressed) and send it where the form says."""
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        found = forms(page.text)
        if form_index is None:
            form = next(
                form
                for form in found
                if any(name == "csrfmiddlewaretoken" for name, _ in form["fields"])
            )
        else:
            form = found[form_index]
        fields = [[name, value] for name, value in form["fields"] if name not in changes]
        fields += [[name, value] for name, value in changes.items()]
        fields += list(extra)
        action = urljoin(path, form["attrs"].get("action") or path)
        return self.post_form(action, fields, referer=path)

    def log_in_to_admin(self, username: str, password: str):
        answer = self.submit(
            "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
        )
        assert answer.status == 302, (answer.status, answer.text[:2000])
        assert "sessionid" in self.cookies
