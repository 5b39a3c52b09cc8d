"""The Wallet panel: the public key (copied with a button), where the key is kept,
creating, importing and exporting it, and every signature of the session; and the
signing approval dialog the wallet's gate opens."""
