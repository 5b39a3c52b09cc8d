# The two Quick start commands. Both install what they need themselves.
.PHONY: run test

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh
