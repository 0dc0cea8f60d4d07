"""Render times right after a publish, when every cache and fragment is stale.

Run by bench/run.py as `manage.py shell -c` with the benchmark's environment. Before each
request the cache is emptied (more than a publish does: that refreshes only the pages
that show the change), so the page, its fragments and its route are all built again.
Prints JSON: URL -> median milliseconds.
"""

COLD_RENDERS = """
import json, statistics, time
from django.core.cache import cache
from django.test import Client
from core.cache import forget_local

urls = json.loads({urls!r})
client = Client(HTTP_HOST="127.0.0.1")
client.cookies["sessionid"] = "cold-render"
result = {{}}
for url in urls:
    client.get(url)
    times = []
    for _ in range({repeat}):
        cache.clear()
        forget_local()
        started = time.perf_counter()
        assert client.get(url).status_code == 200, url
        times.append((time.perf_counter() - started) * 1000)
    result[url] = round(statistics.median(times), 1)
print(json.dumps(result))
"""


def cold_render_script(urls: list[str], repeat: int = 20) -> str:
    import json

    return COLD_RENDERS.format(urls=json.dumps(urls), repeat=repeat)
