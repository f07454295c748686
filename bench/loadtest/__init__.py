"""`make loadtest`: the production processes under a mixed load, and a burst of notifications."""
