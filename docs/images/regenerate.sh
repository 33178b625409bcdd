#!/usr/bin/env bash
# Redraws the figures the README and docs/ show, from the shipped models with the project's own tool.
# Run from anywhere; a test (tests/SkipRnn.Converter.Tests/Streaming/StreamPlotTests.cs) runs each `stream` line
# of this script with the output sent to a temporary file, so the command cannot silently stop working.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run --project src/SkipRnn.Converter -- stream models/motion/model.skrn models/motion/data/hapt_test_users.npz --plot docs/images/motion-stream.png --plot-recording 0 --plot-from 88 --plot-seconds 45 --show-events 0
