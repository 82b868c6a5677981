from __future__ import annotations
from rest_framework.test import APIClient
from wijkregie.testing.personas import World

def test_scratch(world: World) -> None:
    c = APIClient()
    c.force_authenticate(world.users["wijkagent"])
    for method, url, kw in [
        ("get", "/api/v1/signals/", {}),
        ("get", "/api/v1/nope", {}),
        ("get", "/api", {}),
        ("get", "/api/v1", {}),
        ("post", "/api/v1/signals", {"data": "{bad", "content_type": "application/json"}),
        ("post", "/api/v1/signals", {"data": "x", "content_type": "text/plain"}),
        ("put", "/api/v1/signals", {}),
        ("post", "/api/v1/signals", {"data": {"lat": "abc"}, "format": "json"}),
        ("get", "/api/v1/signals?from=xx", {}),
        ("get", "/api/v1/signals?cursor=xx", {}),
    ]:
        r = getattr(c, method)(url, **kw)
        print(method, url, r.status_code, r.get("Content-Type"), r.get("API-Version"), r.content[:400])
    c2 = APIClient()
    r = c2.get("/api/v1/signals")
    print(r.status_code, dict(r.headers), r.content)
