"""The build stages, each a plan() (inputs -> key) and a run()."""
