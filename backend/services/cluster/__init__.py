"""Several processes over Redis and PostgreSQL: engines that own markets by lease and
gateways that follow the command log (see docs/deployment.md)."""
