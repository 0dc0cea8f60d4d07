"""A strict Permissions-Policy on every response.

Django 5.2 has no setting for this header. Every browser feature the site does not use is
switched off for the site and for anything it embeds, so a script that slips in (or a
compromised embed) cannot ask a visitor for their camera, location or payment details.
What stays on, and why:

- fullscreen, picture-in-picture, encrypted-media: the YouTube (no-cookie) and Vimeo players
  that stories embed (the same origins as the CSP's frame-src);
- clipboard-write for the site itself: Wagtail's admin has "copy" buttons.

Only features Chromium knows are listed: it warns in the console about every other one.
"""

_VIDEO_PLAYERS = '(self "https://www.youtube-nocookie.com" "https://player.vimeo.com")'
_DENIED = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "compute-pressure",
    "display-capture",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "identity-credentials-get",
    "idle-detection",
    "interest-cohort",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "speaker-selection",
    "storage-access",
    "usb",
    "window-management",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(
    [f"{feature}=()" for feature in _DENIED]
    + [
        f"fullscreen={_VIDEO_PLAYERS}",
        f"picture-in-picture={_VIDEO_PLAYERS}",
        f"encrypted-media={_VIDEO_PLAYERS}",
        "clipboard-write=(self)",
    ]
)


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
