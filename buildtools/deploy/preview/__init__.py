"""`buildtools preview`: a local stand-in for Mephisto's router, for static tasks.

It serves the built bundle as the router's static folder, answers the HTTP calls that
`mephisto-task` makes (task_config.json, /request_agent, /submit_task, /submit_onboarding,
/submit_metadata, /log_error) from a file of task data instead of a Mephisto backend, and a mock
wrap_crowd_source.js that reads the worker and assignment from the page's URL, as Mephisto's
mock provider does. Live (websocket) and remote-procedure tasks are out of scope.

`units` reads the data file, `router` keeps the protocol's state, `server` is the HTTP side and
`watch` rebuilds on a save and tells the open pages to reload. Nothing here prints: the command
(buildtools.ui.commands.preview) does.
"""
