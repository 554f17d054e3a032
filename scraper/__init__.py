"""scraper: fetch pages politely, keep only the story, store it with its metadata."""
