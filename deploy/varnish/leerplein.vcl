# Varnish, the HTTP cache in front of Leerplein (docs/deployment.md, "A cluster on one
# machine"). It keeps what the app marks as shared (`Cache-Control: s-maxage=N`: anonymous
# public pages, core/cache.py) until that expires or Wagtail purges it on a change, and passes
# everything personal straight to the load balancer.
vcl 4.1;

# The load balancer (HAProxy). `make cluster` uses this file as it is on 127.0.0.1.
backend haproxy {
    .host = "127.0.0.1";
    .port = "8501";
    .connect_timeout = 2s;
    # Just above HAProxy's server timeout, so HAProxy answers first.
    .first_byte_timeout = 40s;
    .between_bytes_timeout = 30s;
}

# Uploaded images and documents on the shared disk (MEDIA_ROOT): a plain file server. On a
# real server nginx serves them, or they live in S3-compatible storage and never come here.
backend media {
    .host = "127.0.0.1";
    .port = "8520";
}

# Who may purge: the app servers (Wagtail's frontend cache sends PURGE after a change).
acl purge {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purge) {
            return (synth(405, "Not allowed"));
        }
        # Wagtail sends the page's own host (SITE_URL's), the one visitors use, so the hash
        # (Host + URL) is the same as that of the object their requests created.
        return (purge);
    }

    # On a real server a TLS terminator in front of Varnish sets X-Forwarded-Proto: https. On
    # loopback (`make cluster`) there is none, so a request without the header is taken as
    # having come through one: the production settings redirect plain HTTP to HTTPS and send
    # Secure cookies. Keep Varnish unreachable except through the terminator.
    if (!req.http.X-Forwarded-Proto) {
        set req.http.X-Forwarded-Proto = "https";
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/media/") {
        if (req.url ~ "/$") {
            # Files only: no folder listings.
            return (synth(404, "Not Found"));
        }
        set req.backend_hint = media;
        unset req.http.Cookie;
        return (hash);
    }
    # Personal, private or operational addresses never come from the cache: the admin, the
    # API, documents (a collection may be private), health probes, shared-password forms, and
    # the account, portal, trainer and evaluation pages in both languages.
    if (req.url ~ "^/(admin|api|documents|healthz|readyz)(/|\?|$)"
        || req.url ~ "^/(nl|en)/(_util|account|portaal|portal|lesgeven|teaching|evaluatie|evaluation)/") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # A signed-in visitor, one with a form's CSRF token or a message waiting gets a page of
    # their own. Other cookies mean nothing to the site: drop them, so the page can be shared.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken|messages)=") {
        return (pass);
    }
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (bereq.url ~ "^/media/") {
        # An uploaded file never changes under its name (a new upload gets a new name).
        if (beresp.status == 200) {
            set beresp.ttl = 1h;
        }
        return (deliver);
    }
    # Kept only when the app says it may be shared (s-maxage), or a static file (whitenoise's
    # long max-age on hashed names); never a response that sets a cookie or is private, nor
    # one the app says not to keep (s-maxage=0: a page served while the new one renders).
    if (beresp.http.Set-Cookie
        || beresp.ttl <= 0s
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || (beresp.http.Cache-Control !~ "(?i)s-maxage" && bereq.url !~ "^/static/")) {
        # Remember for a while that this URL is not kept, so requests for it are not queued
        # behind each other (hit-for-miss).
        set beresp.uncacheable = true;
        set beresp.ttl = 60s;
        return (deliver);
    }
    # If the load balancer cannot answer when a copy expires, the old copy is served a little
    # longer (a purge removes it at once, grace or not).
    set beresp.grace = 60s;
    return (deliver);
}

sub vcl_deliver {
    # Whether this answer came from Varnish's cache, for the operator and the tests (Age says
    # how old the copy is).
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
        # The kept copy carries the id of the request that filled the cache; this request
        # never reached the app, so it has no id of its own.
        unset resp.http.X-Request-ID;
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_backend_error {
    # The load balancer cannot be reached: the same polite page HAProxy gives when no app
    # server is left (deploy/haproxy/503.http).
    set beresp.status = 503;
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "30";
    set beresp.http.Cache-Control = "no-store";
    set beresp.body = {"<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Even geduld – Leerplein</title></head>
<body>
<main>
<h1>Even geduld</h1>
<p>Leerplein is nu heel druk, of we zijn even bezig met onderhoud.</p>
<p>Probeer het over een minuut opnieuw. Wat je al had opgeslagen, blijft bewaard.</p>
<hr>
<div lang="en">
<h2>Please wait a moment</h2>
<p>Leerplein is very busy right now, or we are doing some maintenance.</p>
<p>Please try again in a minute. Anything you already saved is kept.</p>
</div>
</main>
</body>
</html>
"};
    return (deliver);
}
