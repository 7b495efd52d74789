"""Commit statuses and the sticky pull-request comment, through GitHub's REST API.

Imported only when `commit-status` or `pr-comment` is on: PyGithub takes a few
hundred milliseconds to import, which every other run is spared. `content`
renders what is sent (pure), `api` talks to GitHub, `reporter` decides when,
and turns every GitHub failure into a warning: GitHub trouble never changes
the QA verdict.
"""
