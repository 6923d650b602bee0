"""Static site generator for searchable archives of Japanese meeting minutes (会議録)."""
