"""`minutes serve`: the live preview (watch, rebuild what changed, serve snapshots, reload pages).

`dev_server.DevServer` ties the parts together: `changes` (what a change touches), `live_site`
(incremental rebuilds in memory), `jobs` (search index and whole-archive files in child
processes), `snapshot` and `server` (HTTP from immutable snapshots, overlay and reload events),
`watcher` (watchdog with debounce) and `mirror` (the output folder kept equal to what is served).
"""
