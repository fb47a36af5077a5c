"""The composition root: builds adapters, registers workflows and activities per
task queue, and runs the workers (`python -m workers`)."""
