# The two Quick start commands, and the installers' build. All install what they need.
.PHONY: run test package

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

package:
	@bash scripts/package.sh
