#!/usr/bin/env bash
# Installs the real test servers (Debian packages, Go builds cached in ~/.cache/lkstack) and runs
# every check: types, lint, formatting, unit and property tests, component tests under Pulumi
# mocks, conformance against real daemons, and the program through the real Pulumi engine against
# a real kube-apiserver.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-servers.sh
npm run --silent typecheck
npx eslint .
npx prettier --check . >/dev/null
npx jest --selectProjects unit
# The Pulumi program and components under pulumi.runtime.setMocks.
npx jest --selectProjects components
# Real daemons one suite at a time: predictable ports and CPU on a 2-core machine.
npx jest --selectProjects conformance --runInBand
# The real Pulumi engine against a real kube-apiserver (README "The real engine, without Pulumi Cloud").
npx jest --selectProjects engine --runInBand
