"""The portal's pages, one module per part: bookings, groups, calendar, API keys."""
