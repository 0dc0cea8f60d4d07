"""The contact persons' portal on the public site: bookings, calendar and API keys."""
