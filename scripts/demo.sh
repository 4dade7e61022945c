#!/usr/bin/env bash
# Placeholder until the simulation exists (issue 5).
echo "demo: not yet available"
