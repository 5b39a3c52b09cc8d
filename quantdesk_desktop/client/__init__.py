"""The workstation's client layer: the embedded backend, the wallet, REST and the one
stream socket. It fills the `MarketStore`; widgets never reach the network."""
