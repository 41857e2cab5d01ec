"""How Debian's Chromium is launched for the browser tests and the review benchmark.

Without the background-networking flags Chromium keeps dialling out, and this
machine's closed network refuses it; nothing is ever downloaded.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
