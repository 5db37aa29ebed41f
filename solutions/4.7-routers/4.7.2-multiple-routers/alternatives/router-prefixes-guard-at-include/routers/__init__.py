"""One module per part of the API; api.py and main.py decide where each one is mounted."""
