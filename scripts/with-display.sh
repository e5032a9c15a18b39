#!/bin/sh
# Runs a command with an X display: the one already set, else a virtual one from xvfb-run when it is
# installed. gpu.js mode gpu (headless-gl) needs a display on Linux; where there is none and no
# xvfb-run either, the command runs as it is and the gpu-mode tests fail naming the fix.
if [ -n "${DISPLAY:-}" ] || ! command -v xvfb-run >/dev/null 2>&1; then
  exec "$@"
fi
exec xvfb-run -a "$@"
