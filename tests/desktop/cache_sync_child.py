"""A child process for the kill test: sign in and catch the cache up, a few rows a page
(``python -m tests.desktop.cache_sync_child URL WALLET_DIR CACHE_FILE PAGE_SIZE``)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from quantdesk_desktop.cache.database import CacheDatabase
from quantdesk_desktop.client.cache_sync import CacheSync
from quantdesk_desktop.client.rest import RestClient
from quantdesk_desktop.client.wallet import load_wallet


async def main(url: str, wallet_dir: Path, cache_file: Path, page_size: int) -> None:
    wallet = load_wallet("test", wallet_dir)
    rest = RestClient(url)
    await rest.sign_in(wallet)
    sync = CacheSync(CacheDatabase(cache_file, wallet.pubkey), rest, page_size)
    print("syncing", flush=True)
    await sync.catch_up()
    sync.close()
    print("done", flush=True)


if __name__ == "__main__":
    url, wallet_dir, cache_file, page_size = sys.argv[1:5]
    asyncio.run(main(url, Path(wallet_dir), Path(cache_file), int(page_size)))
