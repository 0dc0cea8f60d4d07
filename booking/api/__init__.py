"""The booking API (`/api/v1/`), built with django-ninja."""

from ninja import NinjaAPI

api = NinjaAPI(title="Leerplein", version="1", urls_namespace="api")
