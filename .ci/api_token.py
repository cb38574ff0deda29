"""Signs in to a running Custodian as a demo practice manager and prints an API token for their
practice carrying every permission they hold there (used by .ci/run's schemathesis step)."""
import http.cookiejar
import json
import sys
import urllib.request

base = sys.argv[1]
login = sys.argv[2] if len(sys.argv) > 2 else "r.ahmed"
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def call(method, path, body=None):
    req = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json", "origin": base},
    )
    with opener.open(req) as res:
        return json.loads(res.read() or b"null")


call("POST", "/api/v1/session", {"login": login, "password": "demo-custodian-2026"})
me = call("GET", "/api/v1/me")
membership = me["practices"][0]
created = call(
    "POST",
    "/api/v1/me/tokens",
    {
        "name": "schemathesis",
        "practice_id": membership["practice"]["id"],
        "permissions": membership["permissions"],
        "expires_in_days": 1,
    },
)
print(created["secret"], membership["practice"]["id"])
